import Foundation

/// SHAP values of a compiled model, as XGBoost computes them (`pred_contribs`, exact TreeSHAP
/// of Lundberg et al. for trees; weight times value for a linear model), without the library.
extension CompiledModel {
    /// One element of TreeSHAP's feature path.
    struct PathElement {
        var feature: Int32
        var zeroFraction: Float
        var oneFraction: Float
        var weight: Float
    }

    /// Scratch space for `contributions`: one per thread, reused across rows.
    public struct SHAPScratch {
        var path: [PathElement]

        /// Scratch sized for `model`'s deepest tree.
        public init(for model: CompiledModel) {
            let depth = model.depth + 2
            path = [PathElement](repeating: PathElement(feature: -1, zeroFraction: 0, oneFraction: 0, weight: 0),
                                 count: (depth * (depth + 1)) / 2 + 1)
        }
    }

    /// Writes the SHAP values of one dense row into `phi` (`featureCount + 1` values, the bias
    /// last); they sum to the row's margin.
    public func contributions(dense x: UnsafePointer<Float>, into phi: UnsafeMutablePointer<Float>, scratch: inout SHAPScratch) {
        for column in 0...featureCount { phi[column] = 0 }
        if isLinear {
            for column in 0..<featureCount where !x[column].isNaN { phi[column] = x[column] * weights[column] }
            phi[featureCount] = bias + baseMargin
            return
        }
        nodes.withUnsafeBufferPointer { nodes in
            covers.withUnsafeBufferPointer { covers in
                scratch.path.withUnsafeMutableBufferPointer { path in
                    guard let base = path.baseAddress else { return }
                    let tree = Tree(nodes: nodes, covers: covers)
                    for root in roots {
                        phi[featureCount] += means[Int(root)]
                        Self.treeShap(x, phi, tree, Int(root), 0, base, 1, 1, -1)
                    }
                }
            }
        }
        phi[featureCount] += baseMargin
    }

    /// Writes Saabas's path attributions of one dense row into `phi` (`featureCount + 1` values,
    /// the bias last): XGBoost's `approx_contribs`. Along the row's path through each tree, the
    /// split feature gets the change of the expected value from node to child. They sum to the
    /// margin like SHAP values, cost a few times what the prediction costs (the batch form below
    /// walks rows side by side, as the prediction does), and rank features much as SHAP does; exact
    /// TreeSHAP costs O(leaves × depth²) per tree.
    public func approximateContributions(dense x: UnsafePointer<Float>, into phi: UnsafeMutablePointer<Float>) {
        for column in 0...featureCount { phi[column] = 0 }
        if isLinear {
            for column in 0..<featureCount where !x[column].isNaN { phi[column] = x[column] * weights[column] }
            phi[featureCount] = bias + baseMargin
            return
        }
        nodes.withUnsafeBufferPointer { nodes in
            means.withUnsafeBufferPointer { means in
                for root in roots {
                    var index = Int(root)
                    var value = means[index]
                    phi[featureCount] += value
                    while nodes[index].feature >= 0 {
                        let node = nodes[index]
                        index = Int(node.next(x[node.column]))
                        let next = means[index]
                        phi[node.column] += next - value
                        value = next
                    }
                }
            }
        }
        phi[featureCount] += baseMargin
    }

    /// Writes the path attributions of `rowCount` dense rows into `phi`: row `r`'s
    /// `featureCount + 1` values (the bias last) at `phi + r * (featureCount + 1)`; `phi` may be
    /// uninitialized (every value is written). The same values as
    /// `approximateContributions(dense:into:)` row by row, computed the way margins are: tree
    /// by tree over the batch, rows walking side by side without branches.
    public func approximateContributions(dense values: UnsafePointer<Float>, rowCount: Int, into phi: UnsafeMutablePointer<Float>) {
        let stride = featureCount + 1
        guard let forest, forest.meansAreFinite, !isLinear else {
            for row in 0..<rowCount { approximateContributions(dense: values + row * featureCount, into: phi + row * stride) }
            return
        }
        phi.initialize(repeating: 0, count: rowCount * stride)
        forest.addAttributions(dense: values, width: featureCount, rowCount: rowCount, into: phi, phiStride: stride)
        // The bias is the same for every row: the trees' root means in tree order, then the base.
        var bias: Float = 0
        for root in roots { bias += means[Int(root)] }
        bias += baseMargin
        for row in 0..<rowCount { phi[row * stride + featureCount] = bias }
    }

    /// Writes the SHAP values of one sparse row into `phi`. For a linear model only the present
    /// columns and the bias are written (absent ones contribute 0 and are left as they are: a
    /// hashed row has a few dozen of a quarter million columns).
    public func contributions(columns: UnsafeBufferPointer<UInt32>, values: UnsafeBufferPointer<Float>,
                              into phi: UnsafeMutablePointer<Float>, scratch: inout SHAPScratch) {
        if isLinear {
            for (column, value) in zip(columns, values) where Int(column) < featureCount { phi[Int(column)] = value * weights[Int(column)] }
            phi[featureCount] = bias + baseMargin
            return
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, featureCount)) { row in
            row.initialize(repeating: .nan)
            for (column, value) in zip(columns, values) where Int(column) < featureCount { row[Int(column)] = value }
            if let base = row.baseAddress { contributions(dense: UnsafePointer(base), into: phi, scratch: &scratch) }
        }
    }

    /// The arrays the recursion reads.
    struct Tree {
        let nodes: UnsafeBufferPointer<Node>
        let covers: UnsafeBufferPointer<Float>
    }

    // The recursion follows XGBoost's RegTree::TreeShap (condition 0), in float.

    private static func treeShap(_ x: UnsafePointer<Float>, _ phi: UnsafeMutablePointer<Float>, _ tree: Tree,
                                 _ nodeIndex: Int, _ depthIn: Int, _ parentPath: UnsafeMutablePointer<PathElement>,
                                 _ parentZero: Float, _ parentOne: Float, _ parentFeature: Int32) {
        var uniqueDepth = depthIn
        let path = parentPath + (uniqueDepth + 1)
        path.update(from: parentPath, count: uniqueDepth + 1)
        extend(path, uniqueDepth, parentZero, parentOne, parentFeature)
        let node = tree.nodes[nodeIndex]
        if node.feature < 0 {
            if uniqueDepth >= 1 {
                for i in 1...uniqueDepth {
                    let w = unwoundSum(path, uniqueDepth, i)
                    let element = path[i]
                    phi[Int(element.feature)] += w * (element.oneFraction - element.zeroFraction) * node.value
                }
            }
            return
        }
        let feature = Int32(node.column)
        let hot = Int(node.next(x[node.column]))
        let cold = hot == Int(node.left) ? Int(node.right) : Int(node.left)
        let w = tree.covers[nodeIndex]
        let hotZero = tree.covers[hot] / w
        let coldZero = tree.covers[cold] / w
        var incomingZero: Float = 1
        var incomingOne: Float = 1
        var pathIndex = 0
        while pathIndex <= uniqueDepth {
            if path[pathIndex].feature == feature { break }
            pathIndex += 1
        }
        if pathIndex != uniqueDepth + 1 {
            incomingZero = path[pathIndex].zeroFraction
            incomingOne = path[pathIndex].oneFraction
            unwind(path, uniqueDepth, pathIndex)
            uniqueDepth -= 1
        }
        treeShap(x, phi, tree, hot, uniqueDepth + 1, path, hotZero * incomingZero, incomingOne, feature)
        treeShap(x, phi, tree, cold, uniqueDepth + 1, path, coldZero * incomingZero, 0, feature)
    }

    private static func extend(_ path: UnsafeMutablePointer<PathElement>, _ depth: Int, _ zero: Float, _ one: Float, _ feature: Int32) {
        path[depth] = PathElement(feature: feature, zeroFraction: zero, oneFraction: one, weight: depth == 0 ? 1 : 0)
        var i = depth - 1
        while i >= 0 {
            path[i + 1].weight += one * path[i].weight * Float(i + 1) / Float(depth + 1)
            path[i].weight = zero * path[i].weight * Float(depth - i) / Float(depth + 1)
            i -= 1
        }
    }

    private static func unwind(_ path: UnsafeMutablePointer<PathElement>, _ depth: Int, _ index: Int) {
        let one = path[index].oneFraction
        let zero = path[index].zeroFraction
        var next = path[depth].weight
        var i = depth - 1
        while i >= 0 {
            if one != 0 {
                let saved = path[i].weight
                path[i].weight = next * Float(depth + 1) / (Float(i + 1) * one)
                next = saved - path[i].weight * zero * Float(depth - i) / Float(depth + 1)
            } else {
                path[i].weight = (path[i].weight * Float(depth + 1)) / (zero * Float(depth - i))
            }
            i -= 1
        }
        for j in index..<depth {
            path[j].feature = path[j + 1].feature
            path[j].zeroFraction = path[j + 1].zeroFraction
            path[j].oneFraction = path[j + 1].oneFraction
        }
    }

    private static func unwoundSum(_ path: UnsafeMutablePointer<PathElement>, _ depth: Int, _ index: Int) -> Float {
        let one = path[index].oneFraction
        let zero = path[index].zeroFraction
        var next = path[depth].weight
        var total: Float = 0
        var i = depth - 1
        while i >= 0 {
            if one != 0 {
                let tmp = next * Float(depth + 1) / (Float(i + 1) * one)
                total += tmp
                next = path[i].weight - tmp * zero * (Float(depth - i) / Float(depth + 1))
            } else if zero != 0 {
                total += (path[i].weight / zero) / (Float(depth - i) / Float(depth + 1))
            }
            i -= 1
        }
        return total
    }
}
