/// How the pipeline finds the three features that pushed a detection's score hardest
/// (`dns_ioc_latest.top_features`); the step's `top_features` parameter names it.
public enum TopFeatureMethod: String, Sendable, CaseIterable {
    /// Exact SHAP values (TreeSHAP): about a millisecond of CPU per new detection label with a
    /// 25-tree forest, most of an update's time when detections are many and new.
    case exact = "shap"
    /// Saabas's path attributions (XGBoost's `approx_contribs`): each feature's share of the
    /// score changes along the decision paths, at the cost of a prediction.
    case pathAttributions = "approx"

}
