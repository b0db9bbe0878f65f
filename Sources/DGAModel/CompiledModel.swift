import Foundation

/// An XGBoost model compiled from its JSON form into flat arrays, evaluated in-process without
/// the library: the trees of a gbtree model (gradient boosting or random forest) or the weights
/// of a gblinear model, with the objective's logistic link.
///
/// It computes exactly what XGBoost 1.7's CPU predictor computes, in the same float arithmetic
/// and order (base margin, then each tree's leaf in order; or bias then weights in column
/// order), so scores agree with the library to float rounding. Models it does not cover (dart,
/// categorical splits, several output groups, objectives other than logistic) are refused with
/// `CompiledModelError.unsupported`; callers fall back to the library for those.
public struct CompiledModel: Sendable {
    /// Flat tree nodes, 16 bytes each so that four share a cache line: a split, or a leaf when
    /// `feature < 0` (then `value` is the leaf value).
    struct Node: Sendable {
        /// Split threshold (go left when `x < value`), or the leaf value.
        var value: Float
        /// Split column, with `defaultLeftFlag` set when a missing value goes left; -1 for a leaf.
        var feature: Int32
        /// Index of the left child in `nodes` (absolute).
        var left: Int32
        /// Index of the right child in `nodes`.
        var right: Int32

        static let defaultLeftFlag: Int32 = 1 << 30

        /// The split column.
        @inline(__always) var column: Int { Int(feature & ~Self.defaultLeftFlag) }

        /// The child a value goes to (NaN: the default direction).
        @inline(__always) func next(_ x: Float) -> Int32 {
            if x.isNaN { return feature & Self.defaultLeftFlag != 0 ? left : right }
            return x < value ? left : right
        }
    }

    /// The booster kind the JSON names (`gbtree` or `gblinear`).
    public let boosterName: String
    /// Number of input columns.
    public let featureCount: Int
    /// Trees (0 for a linear model).
    public let treeCount: Int
    /// The base margin added before the trees (logit of `base_score`).
    let baseMargin: Float
    /// Whether the model is a gblinear one.
    public let isLinear: Bool
    /// All trees' nodes back to back (empty for a linear model).
    let nodes: [Node]
    /// Hessian sum at each node (SHAP's cover), index for index with `nodes`.
    let covers: [Float]
    /// Expected tree output below each node, weighted by cover (SHAP's mean value).
    let means: [Float]
    /// Index in `nodes` of each tree's root.
    let roots: [Int32]
    /// The deepest tree's depth (root = 0).
    let depth: Int
    /// One weight per input column (linear models).
    let weights: [Float]
    /// The linear model's bias.
    let bias: Float
    /// The trees laid out for prediction (nil for a linear model, or for trees with a NaN
    /// threshold, which the branch-free test would treat as missing-value splits).
    let forest: BranchFreeForest?

    /// Split tests one prediction makes: each tree's leaf depth, averaged over its leaves,
    /// summed over the trees; 0 for a linear model. What scoring a row costs beyond the
    /// features (about 1.1 ns a test in the compiled predictor here: 3,328 tests, 3.7 µs, for
    /// a 656-tree model), so what the AutoML step compares final-model candidates by when it
    /// trades score for speed.
    public var splitTestsPerPrediction: Double {
        var total = 0.0
        var stack: [(node: Int, depth: Int)] = []
        for root in roots {
            var depths = 0
            var leaves = 0
            stack.append((Int(root), 0))
            while let (index, depth) = stack.popLast() {
                let node = nodes[index]
                if node.feature < 0 {
                    depths += depth
                    leaves += 1
                } else {
                    stack.append((Int(node.left), depth + 1))
                    stack.append((Int(node.right), depth + 1))
                }
            }
            if leaves > 0 { total += Double(depths) / Double(leaves) }
        }
        return total
    }

    /// Compiles an XGBoost JSON model (what `Booster.save(to:)` writes to a `.json` file).
    public init(jsonData: Data) throws {
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: jsonData) as? [String: Any] else {
                throw CompiledModelError.malformed("the top level is not an object")
            }
            root = object
        } catch let error as CompiledModelError {
            throw error
        } catch {
            throw CompiledModelError.malformed("not JSON: \(error.localizedDescription)")
        }
        guard let learner = root["learner"] as? [String: Any],
              let parameters = learner["learner_model_param"] as? [String: Any],
              let booster = learner["gradient_booster"] as? [String: Any],
              let name = booster["name"] as? String else {
            throw CompiledModelError.malformed("learner.learner_model_param or learner.gradient_booster.name is missing")
        }
        let objective = ((learner["objective"] as? [String: Any])?["name"] as? String) ?? "?"
        guard objective == "binary:logistic" || objective == "reg:logistic" else {
            throw CompiledModelError.unsupported("objective \(objective) (only the logistic ones are compiled)")
        }
        guard let features = Self.integer(parameters["num_feature"]), features >= 0 else {
            throw CompiledModelError.malformed("learner_model_param.num_feature is missing")
        }
        let classes = Self.integer(parameters["num_class"]) ?? 0
        guard classes <= 1 else { throw CompiledModelError.unsupported("\(classes) classes (only binary models are compiled)") }
        let baseScore = Self.float(parameters["base_score"]) ?? 0.5
        guard baseScore > 0, baseScore < 1 else { throw CompiledModelError.malformed("base_score \(baseScore) is not in (0, 1)") }
        // XGBoost 1.7 stores base_score as a probability and predicts from its logit (ProbToMargin).
        baseMargin = -logf(1.0 / baseScore - 1.0)
        featureCount = features
        boosterName = name
        guard let model = booster["model"] as? [String: Any] else {
            throw CompiledModelError.malformed("gradient_booster.model is missing")
        }
        switch name {
        case "gbtree":
            let compiled = try Self.compileTrees(model, featureCount: features)
            (nodes, covers, means, roots, depth) = compiled
            treeCount = roots.count
            isLinear = false
            weights = []
            bias = 0
            forest = nodes.contains { $0.feature >= 0 && $0.value.isNaN } ? nil : BranchFreeForest(source: nodes, roots: roots, means: means)
        case "gblinear":
            guard let raw = model["weights"] as? [Any], raw.count == features + 1 else {
                throw CompiledModelError.malformed("gblinear weights: expected \(features + 1) (one output group)")
            }
            let weights = raw.map { Self.float($0) ?? .nan }
            guard !weights.contains(where: \.isNaN) else { throw CompiledModelError.malformed("gblinear weights hold a non-number") }
            self.weights = Array(weights.dropLast())
            bias = weights[features]
            treeCount = 0
            isLinear = true
            nodes = []
            covers = []
            means = []
            roots = []
            depth = 0
            forest = nil
        default:
            throw CompiledModelError.unsupported("booster \(name) (gbtree and gblinear are compiled)")
        }
    }

    /// Compiles the model in a `.json` file.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CompiledModelError.malformed("cannot read \(url.path): \(error.localizedDescription)")
        }
        try self.init(jsonData: data)
    }

    private static func compileTrees(_ model: [String: Any], featureCount: Int) throws -> ([Node], [Float], [Float], [Int32], Int) {
        guard featureCount < Int(Node.defaultLeftFlag) else { throw CompiledModelError.unsupported("\(featureCount) columns") }
        guard let trees = model["trees"] as? [[String: Any]] else { throw CompiledModelError.malformed("gbtree model without trees") }
        if let info = model["tree_info"] as? [Any], info.contains(where: { integer($0) != 0 }) {
            throw CompiledModelError.unsupported("trees for several output groups")
        }
        var nodes: [Node] = []
        var covers: [Float] = []
        var roots: [Int32] = []
        var deepest = 0
        for (number, tree) in trees.enumerated() {
            let what = "tree \(number)"
            let left = try intArray(tree["left_children"], what)
            let right = try intArray(tree["right_children"], what)
            let split = try intArray(tree["split_indices"], what)
            let conditions = try floatArray(tree["split_conditions"], what)
            let defaults = try intArray(tree["default_left"], what)
            let nodeCovers = try floatArray(tree["sum_hessian"], what)
            let count = left.count
            guard count > 0, [right.count, split.count, conditions.count, defaults.count, nodeCovers.count].allSatisfy({ $0 == count }) else {
                throw CompiledModelError.malformed("\(what): node arrays of different lengths")
            }
            if let types = tree["split_type"] as? [Any], types.contains(where: { integer($0) != 0 }) {
                throw CompiledModelError.unsupported("\(what) has categorical splits")
            }
            let offset = Int32(nodes.count)
            roots.append(offset)
            for index in 0..<count {
                let isLeaf = left[index] < 0
                if !isLeaf {
                    guard left[index] < count, right[index] >= 0, right[index] < count, split[index] >= 0, split[index] < featureCount else {
                        throw CompiledModelError.malformed("\(what), node \(index): child or split column out of range")
                    }
                }
                let l = isLeaf ? -1 : offset + Int32(left[index])
                let r = isLeaf ? -1 : offset + Int32(right[index])
                let feature = isLeaf ? -1 : Int32(split[index]) | (defaults[index] != 0 ? Node.defaultLeftFlag : 0)
                nodes.append(Node(value: conditions[index], feature: feature, left: l, right: r))
                covers.append(nodeCovers[index])
            }
            // Children must lie below their parent or the walk could loop: check by depth.
            var depth = 0
            var stack: [(Int32, Int)] = [(offset, 0)]
            var visited = 0
            while let (node, level) = stack.popLast() {
                visited += 1
                guard visited <= count else { throw CompiledModelError.malformed("\(what) is not a tree (a node is reached twice)") }
                depth = max(depth, level)
                let n = nodes[Int(node)]
                if n.feature >= 0 { stack.append((n.left, level + 1)); stack.append((n.right, level + 1)) }
            }
            deepest = max(deepest, depth)
        }
        var means = [Float](repeating: 0, count: nodes.count)
        for root in roots { fillMeans(nodes, covers, &means, Int(root)) }
        return (nodes, covers, means, roots, deepest)
    }

    /// XGBoost's `FillNodeMeanValues`, in float as it does.
    @discardableResult
    private static func fillMeans(_ nodes: [Node], _ covers: [Float], _ means: inout [Float], _ index: Int) -> Float {
        let node = nodes[index]
        var result: Float
        if node.feature < 0 {
            result = node.value
        } else {
            result = fillMeans(nodes, covers, &means, Int(node.left)) * covers[Int(node.left)]
            result += fillMeans(nodes, covers, &means, Int(node.right)) * covers[Int(node.right)]
            result /= covers[index]
        }
        means[index] = result
        return result
    }

    // MARK: Prediction

    /// Margins (log-odds) of `rowCount` dense rows of `featureCount` values each (NaN = missing),
    /// row-major, into `out`.
    public func margins(dense values: UnsafePointer<Float>, rowCount: Int, into out: UnsafeMutablePointer<Float>) {
        if isLinear {
            weights.withUnsafeBufferPointer { weights in
                for row in 0..<rowCount {
                    let x = values + row * featureCount
                    var sum = bias + baseMargin
                    for column in 0..<featureCount where !x[column].isNaN { sum += x[column] * weights[column] }
                    out[row] = sum
                }
            }
            return
        }
        // Tree by tree over the whole batch: one tree's nodes stay in cache for every row,
        // where row by row the whole forest (megabytes for deep forests) is walked per row.
        // Each row still adds its trees' leaves in tree order, so the sums are the same.
        for row in 0..<rowCount { out[row] = baseMargin }
        if let forest {
            forest.addMargins(dense: values, width: featureCount, rowCount: rowCount, into: out)
            return
        }
        nodes.withUnsafeBufferPointer { nodes in
            for root in roots {
                for row in 0..<rowCount {
                    let x = values + row * featureCount
                    var index = Int(root)
                    while true {
                        let node = nodes[index]
                        if node.feature < 0 { out[row] += node.value; break }
                        index = Int(node.next(x[node.column]))
                    }
                }
            }
        }
    }

    /// The margin of one sparse row (column indices ascending, absent columns missing).
    public func margin(columns: UnsafeBufferPointer<UInt32>, values: UnsafeBufferPointer<Float>) -> Float {
        if isLinear {
            return weights.withUnsafeBufferPointer { weights in
                var sum = bias + baseMargin
                for (column, value) in zip(columns, values) where Int(column) < featureCount { sum += value * weights[Int(column)] }
                return sum
            }
        }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, featureCount)) { row in
            row.initialize(repeating: .nan)
            for (column, value) in zip(columns, values) where Int(column) < featureCount { row[Int(column)] = value }
            var out = baseMargin
            if let base = row.baseAddress { margins(dense: UnsafePointer(base), rowCount: 1, into: &out) }
            return out
        }
    }

    /// The logistic link, as XGBoost computes it in float.
    @inline(__always)
    public static func probability(margin: Float) -> Float {
        1.0 / (1.0 + expf(-margin))
    }

    // MARK: Reading JSON numbers

    private static func integer(_ value: Any?) -> Int? {
        if let number = value as? NSNumber { return number.intValue }
        if let text = value as? String { return Int(text) ?? Double(text).map { Int($0) } }
        return nil
    }

    private static func float(_ value: Any?) -> Float? {
        if let number = value as? NSNumber { return Float(number.doubleValue) }
        if let text = value as? String { return Float(text) }
        return nil
    }

    private static func intArray(_ value: Any?, _ what: String) throws -> [Int] {
        guard let array = value as? [Any] else { throw CompiledModelError.malformed("\(what): a node array is missing") }
        return try array.map { element in
            if let bool = element as? Bool { return bool ? 1 : 0 }
            guard let number = integer(element) else { throw CompiledModelError.malformed("\(what): a node field is not a number") }
            return number
        }
    }

    private static func floatArray(_ value: Any?, _ what: String) throws -> [Float] {
        guard let array = value as? [Any] else { throw CompiledModelError.malformed("\(what): a node array is missing") }
        return try array.map { element in
            guard let number = float(element) else { throw CompiledModelError.malformed("\(what): a node value is not a number") }
            return number
        }
    }
}

/// Why an XGBoost JSON model was not compiled.
public enum CompiledModelError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The model is valid but of a kind the compiler does not cover; use the library.
    case unsupported(String)
    /// The JSON is not an XGBoost model as version 1.7 writes it.
    case malformed(String)

    public var description: String {
        switch self {
        case let .unsupported(detail): return "the model cannot be compiled: \(detail)"
        case let .malformed(detail): return "not an XGBoost JSON model: \(detail)"
        }
    }
}
