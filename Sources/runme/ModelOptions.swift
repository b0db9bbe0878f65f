import ArgumentParser
import DGAModel
import Foundation
import Tracking

/// Where a command gets its DGA model: a model URI resolved in the store, or an exported
/// bundle directory (`runme models export`) that needs no store.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The model to score with (resolved in the store).", valueName: "uri"))
    var model = "models:/\(ModelRegistration.modelName)@\(ModelRegistration.championAlias)"

    @Option(name: .customLong("model-dir"), help: ArgumentHelp(
        "An exported model bundle (runme models export) to score with instead of --model; needs no store.", valueName: "dir"))
    var modelDirectory: String?

    /// What the model is called in messages: the URI, or the bundle directory.
    var description: String { modelDirectory.map { "bundle \($0)" } ?? model }

    /// Loads the model from the bundle directory, or resolves the URI in the store.
    func load(store storeOptions: StoreOptions) throws -> ModelBundle {
        if let modelDirectory {
            do {
                return try ModelBundle(directory: URL(fileURLWithPath: modelDirectory, isDirectory: true))
            } catch {
                throw RunmeError(message: "cannot load the model bundle \(modelDirectory): \(error). Write one with: runme models export URI DIR")
            }
        }
        let store: TrackingStore
        do {
            store = try storeOptions.openForReading()
        } catch {
            throw RunmeError(message: "\(error)")
        }
        do {
            return try ModelBundle(directory: store.resolve(uri: model))
        } catch {
            throw RunmeError(message: "cannot load the model \(model): \(error)")
        }
    }
}
