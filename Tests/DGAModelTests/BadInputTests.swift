import DGAModel
import Foundation
import Testing

/// Bad input is refused with a typed error that says what was wrong, before XGBoost's C++
/// checks fire (or, where XGBoost is the judge, with XGBoost's message and our context).
@Suite struct BadInputTests {
    @Test func emptyDataIsRefused() throws {
        #expect(throws: XGBoostError.emptyData("the matrix has no rows")) {
            try DMatrix(DenseMatrix(rowCount: 0, columnCount: 4, values: []), nthread: 1)
        }
        #expect(throws: XGBoostError.emptyData("the matrix has no columns")) {
            try DMatrix(DenseMatrix(rowCount: 3, columnCount: 0, values: []), nthread: 1)
        }
        #expect(throws: XGBoostError.emptyData("the matrix has no rows")) { try DMatrix(rows: [], nthread: 1) }
        let (booster, _) = try BoosterTests().trainSmall(rounds: 2)
        #expect(throws: XGBoostError.emptyData("nothing to predict: 0 rows")) {
            try booster.predict(DenseMatrix(rowCount: 0, columnCount: 4, values: []))
        }
    }

    @Test func mismatchedSizesAreRefused() throws {
        let rows: [[Float]] = [[1, 2], [3, 4], [5, 6]]
        #expect(throws: XGBoostError.shapeMismatch(what: "label count", expected: 3, actual: 2)) {
            try DMatrix(rows: rows, labels: [0, 1], nthread: 1)
        }
        #expect(throws: XGBoostError.shapeMismatch(what: "weight count", expected: 3, actual: 4)) {
            try DMatrix(rows: rows, labels: [0, 1, 0], weights: [1, 1, 1, 1], nthread: 1)
        }
        #expect(throws: XGBoostError.shapeMismatch(what: "length of row 1", expected: 2, actual: 3)) {
            try DMatrix(rows: [[1, 2], [3, 4, 5]], nthread: 1)
        }
        #expect(throws: XGBoostError.shapeMismatch(what: "feature name count", expected: 2, actual: 1)) {
            try DMatrix(rows: rows, featureNames: ["only"], nthread: 1)
        }
        let (booster, _) = try BoosterTests().trainSmall(rounds: 2)
        #expect(throws: XGBoostError.shapeMismatch(what: "input columns for this model", expected: 4, actual: 2)) {
            try booster.predict(DenseMatrix(rows: rows))
        }
        #expect(throws: XGBoostError.shapeMismatch(what: "input columns for this model", expected: 4, actual: 2)) {
            try booster.predict(DMatrix(rows: rows, nthread: 1))
        }
    }

    @Test func nanLabelsAreRefusedButNaNFeaturesAreMissingValues() throws {
        #expect(throws: XGBoostError.invalidValue(what: "label", detail: "label 1 is nan; labels must be finite")) {
            try DMatrix(rows: [[1], [2]], labels: [0, .nan], nthread: 1)
        }
        #expect(throws: XGBoostError.invalidValue(what: "weight", detail: "weight 0 is -1.0; weights must be finite and >= 0")) {
            try DMatrix(rows: [[1], [2]], labels: [0, 1], weights: [-1, 1], nthread: 1)
        }
        #expect(throws: XGBoostError.invalidValue(what: "feature value", detail: "value 1 is inf; use NaN for missing, not infinity")) {
            try DMatrix(rows: [[1], [.infinity]], nthread: 1)
        }
        // Labels outside [0, 1] for the logistic objective, with the row named.
        let matrix = try DMatrix(rows: [[1], [2], [3]], labels: [0, 2, 1], nthread: 1)
        #expect(throws: XGBoostError.invalidValue(what: "training label", detail: "label 1 is 2.0; binary:logistic needs labels in [0, 1]")) {
            try Booster.train(parameters: BoosterParameters(nthread: 1), training: matrix, rounds: 1)
        }
        // NaN features are XGBoost's missing values: training and both prediction paths accept them.
        let data = try SyntheticData(rows: 400, seed: 3)
        var values = data.matrix
        for row in stride(from: 0, to: 400, by: 3) { values[row, 0] = .nan }
        let withGaps = try DMatrix(values, labels: data.labels, nthread: 1)
        let booster = try Booster.train(parameters: BoosterParameters(nthread: 1), training: withGaps, rounds: 5).booster
        let inPlace = try booster.predict(values)
        #expect(inPlace == (try booster.predict(withGaps)))
        #expect(inPlace.allSatisfy { $0.isFinite })
    }

    @Test func trainingRefusesMissingLabelsAndBadParameters() throws {
        let unlabelled = try DMatrix(rows: [[1], [2]], nthread: 1)
        #expect(throws: XGBoostError.emptyData("the training matrix has no labels")) {
            try Booster.train(parameters: BoosterParameters(nthread: 1), training: unlabelled, rounds: 1)
        }
        let labelled = try DMatrix(rows: [[1], [2]], labels: [0, 1], nthread: 1)
        #expect(throws: XGBoostError.invalidParameter(name: "nthread", detail: "0; give at least 1 thread explicitly")) {
            try Booster.train(parameters: BoosterParameters(nthread: 0), training: labelled, rounds: 1)
        }
        #expect(throws: XGBoostError.invalidParameter(name: "rounds", detail: "0; train at least 1 round")) {
            try Booster.train(parameters: BoosterParameters(nthread: 1), training: labelled, rounds: 0)
        }
        #expect(throws: XGBoostError.invalidParameter(name: "earlyStopping", detail: "needs a validation set to watch")) {
            try Booster.train(parameters: BoosterParameters(nthread: 1), training: labelled, rounds: 5,
                              earlyStopping: EarlyStopping(patience: 2))
        }
        var parameters = BoosterParameters(nthread: 1)
        parameters.subsample = 0
        #expect(throws: XGBoostError.invalidParameter(name: "subsample", detail: "0.0 is not in (0, 1]")) {
            try Booster.train(parameters: parameters, training: labelled, rounds: 1)
        }
        var linearForest = BoosterParameters(booster: .gblinear, nthread: 1)
        linearForest.numParallelTree = 10
        #expect(throws: XGBoostError.invalidParameter(name: "num_parallel_tree", detail: "random-forest mode needs booster gbtree")) {
            try Booster.train(parameters: linearForest, training: labelled, rounds: 1)
        }
    }

    @Test func xgboostsOwnRefusalsCarryItsMessageAndOurContext() throws {
        var parameters = BoosterParameters(nthread: 1)
        parameters.extra = ["tree_method": "no-such-method"]
        let labelled = try DMatrix(rows: [[1], [2]], labels: [0, 1], nthread: 1)
        do {
            _ = try Booster.train(parameters: parameters, training: labelled, rounds: 1)
            Issue.record("an unknown tree method should fail")
        } catch let XGBoostError.library(operation, message) {
            #expect(operation.contains("train round 0") || operation.contains("tree_method"))
            #expect(message.contains("no-such-method"), "message: \(message)")
            #expect(!message.contains("Stack trace"))
        }
    }

    @Test func sparseMatricesAreChecked() throws {
        #expect(throws: XGBoostError.self) {
            try SparseMatrix(columnCount: 4, rowOffsets: [0, 2], columnIndices: [1, 9], values: [1, 1])
        }
        #expect(throws: XGBoostError.self) {
            try SparseMatrix(columnCount: 4, rowOffsets: [0, 3], columnIndices: [1, 2], values: [1, 1])
        }
        let good = try SparseMatrix(columnCount: 4, rowOffsets: [0, 2, 2, 3], columnIndices: [0, 3, 1], values: [1, 2, 3])
        let matrix = try DMatrix(good, labels: [0, 1, 0], nthread: 1)
        #expect(matrix.rowCount == 3 && matrix.columnCount == 4)
    }
}
