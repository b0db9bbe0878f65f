import DGAModel
import Foundation
import Tracking

/// What the commands that load a model (`score`, `sql`'s `ioc_detect`, `models export`) say
/// when the store or the model URI does not load. The tracking library's errors give advice
/// in its own API's terms (`setAlias(name:alias:version:)`); on the command line the advice is
/// the command to run, and it must fit the failure: "run the job first" is wrong for a
/// version that was never registered in a store that has others.
enum ModelLoadMessages {
    /// The store could not be opened to read.
    static func store(_ directory: URL, _ error: Error) -> String {
        if case .storeNotFound? = error as? TrackingError {
            return "no experiment store at \(directory.path) (no tracking.db there): run the job first (runme run), "
                + "or pass --store with the folder of the store to use"
        }
        return "cannot open the experiment store at \(directory.path): \(error)"
    }

    /// `uri` did not resolve in the store, or what it resolved to is not a model runme loads.
    static func model(_ uri: String, _ error: Error) -> String {
        let prefix = "cannot load the model \(uri): "
        switch error as? TrackingError {
        case let .modelNotFound(name)?:
            return prefix + "no registered model named '\(name)' in this store. Run the job (runme run): its 02_automl task registers "
                + "'\(ModelRegistration.modelName)'; runme models lists the registered models"
        case let .modelVersionNotFound(name, version)?:
            return prefix + "model '\(name)' has no version \(version); runme models \(name) lists the versions it has"
        case let .modelAliasNotFound(name, alias)?:
            return prefix + "model '\(name)' has no alias '\(alias)'; runme models \(name) lists its aliases "
                + "(02_automl sets @\(ModelRegistration.championAlias) on the first version and on each that beats it)"
        case let .modelHasNoVersions(name)?:
            return prefix + "model '\(name)' has no versions yet. Run the job (runme run): its 02_automl task registers one"
        default:
            return prefix + "\(error)"
        }
    }
}
