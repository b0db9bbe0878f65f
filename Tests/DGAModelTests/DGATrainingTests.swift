import DGAModel
import Foundation
import Testing
import TestSupport

/// The accelerator's experiment on the real data: alexa labels (legit) against DGA domains
/// (ioc), 80/20 stratified split with seed 42. A behaviour check of the pipeline's pieces
/// together, not the product's model search; the figures are printed for the report.
@Suite(.serialized) struct DGATrainingTests {
    /// One thread: the suites run side by side on a shared two-core machine, where OpenMP
    /// threads waiting at barriers for a busy core cost more than they bring.
    static let threads = 1

    struct Prepared {
        let train: DMatrix
        let validation: DMatrix
        let test: DenseMatrix
        let testTruth: [Bool]
    }

    /// Features for the training split (with a stratified 10 % of it held out for early
    /// stopping) and the test split.
    func prepare(_ data: DGATestData, features: [DomainFeature]) throws -> Prepared {
        let inner = try DataSplit.stratified(labels: data.trainTruth, train: 0.9, test: 0.1, seed: 42)
        let all = data.trainFeatures.selecting(columns: features.map(\.columnIndex))
        let names = Featurizer.names(of: features)
        let truth = data.trainTruth.map { Float($0 ? 1 : 0) }
        let train = try DMatrix(all.selecting(rows: inner.train), labels: inner.train.map { truth[$0] }, featureNames: names, nthread: Self.threads)
        let validation = try DMatrix(all.selecting(rows: inner.test), labels: inner.test.map { truth[$0] }, featureNames: names, nthread: Self.threads)
        return Prepared(train: train, validation: validation,
                        test: data.featurizer.matrix(labels: data.testLabels, features: features), testTruth: data.testTruth)
    }

    func boosted(_ prepared: Prepared, _ name: String) throws -> (TrainingResult, ClassificationReport) {
        var parameters = BoosterParameters(nthread: Self.threads)
        parameters.eta = 0.1
        parameters.maxDepth = 6
        parameters.seed = 42
        let result = try Booster.train(parameters: parameters, training: prepared.train, validation: prepared.validation,
                                       rounds: 400, earlyStopping: EarlyStopping(patience: 20, metric: .logloss))
        let probabilities = try result.booster.predict(prepared.test)
        let report = try ClassificationMetrics.report(labels: prepared.testTruth, probabilities: probabilities)
        Self.printFigures(name, report, result)
        return (result, report)
    }

    static func printFigures(_ name: String, _ report: ClassificationReport, _ result: TrainingResult?) {
        let training = result.map { r in
            ", \(r.roundsTrained) rounds (best \(r.bestIteration)), trained in \(String(format: "%.2f", Double(r.duration.components.seconds) + Double(r.duration.components.attoseconds) / 1e18)) s"
        } ?? ""
        print(String(format: "%@: test ROC AUC %.4f, PR AUC %.4f, F1 %.4f, precision %.4f, recall %.4f, accuracy %.4f, log loss %.4f",
                     name, report.rocAUC, report.averagePrecision, report.f1, report.precision, report.recall, report.accuracy, report.logLoss) + training)
    }

    @Test func acceleratorFourFeaturesSeparateDGAFromPopularDomains() throws {
        let data = try DGATestData.shared
        print("data: \(data.labels.count) labels (\(data.isIOC.filter { $0 }.count) ioc); train \(data.split.train.count), test \(data.split.test.count)")
        let prepared = try prepare(data, features: DomainFeature.accelerator)
        let (result, report) = try boosted(prepared, "gbtree, 4 accelerator features")
        #expect(report.rocAUC > 0.95)
        let importance = try result.booster.featureImportance(.gain)
        #expect(Set(importance.map(\.feature)) == Set(Featurizer.names(of: DomainFeature.accelerator)))
        print("  importance (gain): " + importance.map { "\($0.feature) \(String(format: "%.1f", $0.score))" }.joined(separator: ", "))
    }

    /// The same booster on the same split with the accelerator's four features and with all
    /// of them: all of them rank better (ROC AUC, PR AUC) and classify better (test F1 at the
    /// threshold that maximises F1 on validation, never on test).
    @Test func allFeaturesDoBetter() throws {
        let data = try DGATestData.shared
        func trained(_ features: [DomainFeature], _ name: String) throws -> (report: ClassificationReport, atChoice: ConfusionMatrix) {
            let prepared = try prepare(data, features: features)
            let (result, report) = try boosted(prepared, name)
            let validationScores = try result.booster.predict(prepared.validation).map(Double.init)
            let choice = try #require(try ClassificationMetrics.chooseThreshold(labels: try prepared.validation.labels().map { $0 == 1 },
                                                                                scores: validationScores, criterion: .maximumF1))
            let atChoice = try ClassificationMetrics.confusionMatrix(labels: prepared.testTruth,
                                                                     scores: try result.booster.predict(prepared.test).map(Double.init),
                                                                     threshold: choice.threshold)
            print(String(format: "  threshold %.3f (max F1 on validation): test F1 %.4f, precision %.4f, recall %.4f",
                         choice.threshold, atChoice.f1, atChoice.precision, atChoice.recall))
            return (report, atChoice)
        }
        let accelerator = try trained(DomainFeature.accelerator, "gbtree, 4 accelerator features")
        let all = try trained(DomainFeature.allCases, "gbtree, all \(DomainFeature.allCases.count) features")
        #expect(all.report.rocAUC > accelerator.report.rocAUC)
        #expect(all.report.averagePrecision > accelerator.report.averagePrecision)
        #expect(all.atChoice.f1 > accelerator.atChoice.f1)
        #expect(all.report.rocAUC > 0.98)
    }

    @Test func randomForestModeTrainsAndPredicts() throws {
        let data = try DGATestData.shared
        let prepared = try prepare(data, features: DomainFeature.allCases)
        let parameters = BoosterParameters.randomForest(trees: 100, maxDepth: 12, nthread: Self.threads, seed: 42)
        let result = try Booster.train(parameters: parameters, training: prepared.train, validation: prepared.validation, rounds: 1)
        #expect(try result.booster.boostedRounds() == 1)
        let probabilities = try result.booster.predict(prepared.test)
        let report = try ClassificationMetrics.report(labels: prepared.testTruth, probabilities: probabilities)
        Self.printFigures("random forest (100 trees), all features", report, result)
        #expect(report.rocAUC > 0.9)
    }

    @Test func linearModelOnHashedNGramsTrainsAndPredicts() throws {
        let data = try DGATestData.shared
        let inner = try DataSplit.stratified(labels: data.trainTruth, train: 0.9, test: 0.1, seed: 42)
        let trainLabels = data.trainLabels
        let truth = data.trainTruth.map { Float($0 ? 1 : 0) }
        let hashed = data.featurizer.hashedNGrams(labels: trainLabels)
        let train = try DMatrix(hashed.selecting(rows: inner.train), labels: inner.train.map { truth[$0] }, nthread: Self.threads)
        let validation = try DMatrix(hashed.selecting(rows: inner.test), labels: inner.test.map { truth[$0] }, nthread: Self.threads)
        var parameters = BoosterParameters(booster: .gblinear, nthread: Self.threads)
        // gblinear scales lambda by the summed row weights (~63k here): 3e-6 is a moderate L2.
        parameters.eta = 1
        parameters.lambda = 3e-6
        parameters.linearUpdater = "shotgun"
        let result = try Booster.train(parameters: parameters, training: train, validation: validation, rounds: 60,
                                       earlyStopping: EarlyStopping(patience: 5, metric: .logloss))
        let test = data.featurizer.hashedNGrams(labels: data.testLabels)
        let probabilities = try result.booster.predict(test)
        #expect(probabilities == (try result.booster.predict(try DMatrix(test, nthread: Self.threads))))
        let report = try ClassificationMetrics.report(labels: data.testTruth, probabilities: probabilities)
        Self.printFigures("gblinear on 2^18 hashed 2-4-grams", report, result)
        #expect(report.rocAUC > 0.9)
    }

    @Test func savedModelAndFeaturizerScoreTheSameAsTraining() throws {
        let data = try DGATestData.shared
        let prepared = try prepare(data, features: DomainFeature.accelerator)
        var parameters = BoosterParameters(nthread: Self.threads)
        parameters.maxDepth = 4
        let booster = try Booster.train(parameters: parameters, training: prepared.train, rounds: 30).booster
        let directory = try TemporaryDirectory("dga-scoring")
        try booster.save(to: directory.file("model.json"))
        try data.featurizer.write(to: directory.file("featurizer.json"))
        // What a scoring job does: load both, featurize raw labels, predict in place.
        let featurizer = try Featurizer(contentsOf: directory.file("featurizer.json"))
        let model = try Booster(contentsOf: directory.file("model.json"), nthread: 1)
        let labels = ["asdklgb", "google", "googlee", "a17btkyb38gxe41pwd50nxmzjxiwjwdwfrp52"]
        let scores = try model.predict(featurizer.matrix(labels: labels, features: DomainFeature.accelerator))
        #expect(scores == (try booster.predict(data.featurizer.matrix(labels: labels, features: DomainFeature.accelerator))))
        print("scores: " + zip(labels, scores).map { "\($0) \(String(format: "%.3f", $1))" }.joined(separator: ", "))
        #expect(scores[1] < 0.5, "google is legit")
        #expect(scores[3] > 0.5, "a long DGA name is ioc")
    }
}
