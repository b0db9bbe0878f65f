/// A tree ensemble laid out for branch-free evaluation of many rows at once: the prediction
/// and the batch path attributions of `CompiledModel` (exact SHAP and the one-row path
/// attributions keep reading `CompiledModel.nodes`).
///
/// Walking one row down a tree is a chain of data-dependent branches the CPU mispredicts about
/// every other level, and of loads that wait on each other. Here:
/// - a split's two children are adjacent, so the next node is `left + goRight`, computed with
///   arithmetic on the comparison instead of a branch;
/// - a leaf loops to itself (its test always sends a row left, i.e. to itself), so every row
///   takes exactly the tree's depth in steps and no walk ends early;
/// - `blockSize` rows go down a tree side by side, step by step: their chains are independent,
///   so the CPU overlaps their loads;
/// - the margins of rows of at most 64 features compare order keys of the values as integers
///   (`KeyedNode`, `addKeyedMargins`), the shortest chain per step.
/// Each row still adds its trees' leaf values in tree order, so margins are bit-identical to
/// the node-by-node walk (and to XGBoost's CPU predictor).
struct BranchFreeForest: Sendable {
    /// A node layout the walk takes: where a row goes from this node.
    protocol Step {
        /// The next node's index for `row` (a leaf's own index: leaves loop to themselves).
        func step(_ row: UnsafePointer<Float>) -> Int
        /// The column the node tests (0 for a leaf).
        var splitColumn: Int { get }
    }

    /// One node: 16 bytes, four to a cache line.
    struct Node: Step, Sendable {
        /// Split threshold (left when `x < threshold`); NaN for a leaf, so that no value (NaN
        /// included) passes `x >= threshold` and the leaf's step goes to `left`, itself.
        var threshold: Float
        /// Split column (0 for a leaf: any valid column, its value is not used).
        var column: UInt32
        /// Index of the left child; the right child is `left + 1`. A leaf's own index.
        var left: UInt32
        /// 1 when a missing value goes right, else 0 (always 0 for a leaf).
        var missingRight: UInt16
        /// Padding.
        var unused: UInt16 = 0

        /// The next node for `x`: left when `x < threshold`, right when `x >= threshold`, and the
        /// default direction when `x` is NaN (both comparisons false), without a branch.
        @inline(__always)
        func next(_ x: Float) -> Int {
            // Bools widened, not selected: `c ? 1 : 0` lets the compiler emit branches again.
            let less = UInt32(unsafeBitCast(x < threshold, to: UInt8.self))
            let notLess = UInt32(unsafeBitCast(x >= threshold, to: UInt8.self))
            let missing = 1 &- less &- notLess  // 1 only for NaN (or a leaf's NaN threshold)
            return Int(left &+ (notLess | (missing & UInt32(missingRight))))
        }

        @inline(__always)
        func step(_ row: UnsafePointer<Float>) -> Int { next(row[Int(column)]) }

        @inline(__always)
        var splitColumn: Int { Int(column) }
    }

    /// A node of the missing-value-free walk: 8 bytes, eight to a cache line, one compare a
    /// step (see `substitutes`).
    struct CompactNode: Step, Sendable {
        /// Split threshold (right when `x >= threshold`); NaN for a leaf (no value passes).
        var threshold: Float
        /// `left << 8 | column`: the left child (the right is `left + 1`; a leaf's own index)
        /// and the split column.
        var link: UInt32

        @inline(__always)
        func next(_ x: Float) -> Int {
            Int(link >> 8 &+ UInt32(unsafeBitCast(x >= threshold, to: UInt8.self)))
        }

        @inline(__always)
        func step(_ row: UnsafePointer<Float>) -> Int { next(row[Int(link & 0xFF)]) }

        @inline(__always)
        var splitColumn: Int { Int(link & 0xFF) }
    }

    /// A node of the keyed walk (`addKeyedMargins`): 8 bytes, its test one integer compare of
    /// order keys (`orderKey`), whose result goes straight into the next index (`sbb`).
    struct KeyedNode: Sendable {
        /// `left << 8 | 4 · column`: the left child (the right is `left + 1`; a leaf's own
        /// index) and the split column times four, which is the walk's offset of that column
        /// in a block (`8 · column` values, at 4 bytes each: one scaled address).
        var link: UInt32
        /// The threshold's order key; `UInt32.max` for a leaf, which no value's key reaches.
        var threshold: UInt32
    }

    /// An order key of a value that is not NaN: `orderKey(x) >= orderKey(t)` exactly when
    /// `x >= t`. The sign bit flipped for positive values, all bits for negative ones, after
    /// adding zero, which turns -0 into +0 (equal as floats, so they must share a key).
    @inline(__always)
    static func orderKey(_ x: Float) -> UInt32 {
        let bits = (x + 0).bitPattern
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }

    /// Rows walked side by side by `addMargins` (which spells them out; the attributions,
    /// which hold more per row, walk four).
    static let blockSize = 8
    /// Rows whose missing values are replaced at a time (in a buffer on the stack).
    static let substitutionRows = 256
    /// Widest row the compact walk takes (its column is one byte; wider rows, such as a dense
    /// view of hashed n-grams, would cost more to copy than the walk saves).
    static let compactMaxWidth = 256
    /// Widest row the keyed walk takes (`4 · column` fits the link's byte).
    static let keyedMaxWidth = 64

    let nodes: [Node]
    /// Leaf value by node index (0 for splits).
    let leafValues: [Float]
    /// The node's expected value (cover-weighted mean of its leaves), by node index: what path
    /// attributions are differences of.
    let means: [Float]
    /// Whether every mean is finite: a leaf's self-loop adds mean − mean, which is NaN for an
    /// infinite mean.
    let meansAreFinite: Bool
    /// Each tree's root and depth (steps from root to its deepest leaf).
    let roots: [UInt32]
    let depths: [Int]
    /// The same trees as `CompactNode`s, when every column's missing value can be replaced by
    /// a number that every split on that column sends the same way (nil otherwise).
    let compact: [CompactNode]?
    /// The value each column's missing value (NaN) is replaced with for the compact walk: +∞
    /// where every split on the column sends missing values right (+∞ ≥ any threshold), −∞
    /// where every split sends them left and no threshold is −∞. XGBoost learns a default
    /// direction per split, but on data without missing values it sends them all right, so
    /// the job's models all qualify; a model with both directions on one column does not, and
    /// keeps the walk with the missing-value test at every step.
    let substitutes: [Float]
    /// The compact nodes as `KeyedNode`s, when the compact form exists and every split column
    /// is below `keyedMaxWidth` (nil otherwise).
    let keyed: [KeyedNode]?

    /// Lays out the trees of `source` under `sourceRoots`; `sourceMeans` are the nodes'
    /// expected values, by `source` index.
    init(source: [CompiledModel.Node], roots sourceRoots: [Int32], means sourceMeans: [Float]) {
        var nodes: [Node] = []
        var leafValues: [Float] = []
        var means: [Float] = []
        var roots: [UInt32] = []
        var depths: [Int] = []
        nodes.reserveCapacity(source.count)
        leafValues.reserveCapacity(source.count)
        means.reserveCapacity(source.count)
        for sourceRoot in sourceRoots {
            // Breadth first: each split's children are appended as a pair.
            let root = nodes.count
            roots.append(UInt32(root))
            var queue: [(source: Int, level: Int)] = [(Int(sourceRoot), 0)]
            nodes.append(Node(threshold: .nan, column: 0, left: UInt32(root), missingRight: 0))
            leafValues.append(0)
            means.append(0)
            var head = 0
            var depth = 0
            while head < queue.count {
                let (from, level) = queue[head]
                let at = root + head
                head += 1
                depth = max(depth, level)
                let node = source[from]
                means[at] = sourceMeans[from]
                if node.feature < 0 {
                    nodes[at] = Node(threshold: .nan, column: 0, left: UInt32(at), missingRight: 0)
                    leafValues[at] = node.value
                    continue
                }
                let left = nodes.count
                nodes[at] = Node(threshold: node.value, column: UInt32(node.column), left: UInt32(left),
                                 missingRight: node.feature & CompiledModel.Node.defaultLeftFlag != 0 ? 0 : 1)
                for child in [node.left, node.right] {
                    queue.append((Int(child), level + 1))
                    nodes.append(Node(threshold: .nan, column: 0, left: UInt32(nodes.count), missingRight: 0))
                    leafValues.append(0)
                    means.append(0)
                }
            }
            depths.append(depth)
        }
        self.nodes = nodes
        self.leafValues = leafValues
        self.means = means
        self.meansAreFinite = means.allSatisfy(\.isFinite)
        self.roots = roots
        self.depths = depths
        (self.compact, self.substitutes) = Self.compactForm(nodes)
        self.keyed = compact.flatMap { compact in
            guard compact.allSatisfy({ $0.link & 0xFF < Self.keyedMaxWidth }) else { return nil }
            return compact.map { node in
                KeyedNode(link: (node.link & ~0xFF) | (node.link & 0xFF) << 2,
                          threshold: node.threshold.isNaN ? .max : Self.orderKey(node.threshold))
            }
        }
    }

    /// The compact nodes and the missing-value substitutes, or nil nodes when some column's
    /// splits disagree on missing values, a column is beyond a byte, or the forest has 2²⁴
    /// nodes or more.
    private static func compactForm(_ nodes: [Node]) -> ([CompactNode]?, [Float]) {
        guard nodes.count < 1 << 24 else { return (nil, []) }
        var right: [Bool] = [], left: [Bool] = [], minusInfinity: [Bool] = []
        for node in nodes where !node.threshold.isNaN {
            let column = Int(node.column)
            guard column < compactMaxWidth else { return (nil, []) }
            if column >= right.count {
                right += repeatElement(false, count: column + 1 - right.count)
                left += repeatElement(false, count: column + 1 - left.count)
                minusInfinity += repeatElement(false, count: column + 1 - minusInfinity.count)
            }
            if node.missingRight == 1 { right[column] = true } else { left[column] = true }
            if node.threshold == -.infinity { minusInfinity[column] = true }
        }
        var substitutes = [Float](repeating: .infinity, count: compactMaxWidth)
        for column in right.indices {
            if right[column] && left[column] { return (nil, []) }
            if left[column] {
                guard !minusInfinity[column] else { return (nil, []) }
                substitutes[column] = -.infinity
            }
        }
        let compact = nodes.map { CompactNode(threshold: $0.threshold, link: $0.left << 8 | $0.column) }
        return (compact, substitutes)
    }

    /// Adds every tree's leaf value, in tree order, to `out[row]` for `rowCount` rows of
    /// `width` values each (row-major, NaN = missing).
    func addMargins(dense values: UnsafePointer<Float>, width: Int, rowCount: Int, into out: UnsafeMutablePointer<Float>) {
        if let keyed, width <= Self.keyedMaxWidth {
            addKeyedMargins(keyed, dense: values, width: width, rowCount: rowCount, into: out)
            return
        }
        if let compact, width <= Self.compactMaxWidth {
            addCompactMargins(compact, dense: values, width: width, rowCount: rowCount, into: out)
            return
        }
        withNodes(nodes) { nodes, leaves in
            addTrees(nodes, leaves: leaves, rows: values, width: width, rowCount: rowCount, into: out)
        }
    }

    /// Adds every tree's leaf, in tree order, for `rowCount` rows walked through `nodes`.
    @inline(__always)
    private func addTrees<N: Step>(_ nodes: UnsafePointer<N>, leaves: UnsafePointer<Float>, rows values: UnsafePointer<Float>,
                                   width: Int, rowCount: Int, into out: UnsafeMutablePointer<Float>) {
        for (tree, root) in roots.enumerated() {
            let depth = depths[tree]
            let start = Int(root)
            var first = 0
            // Eight rows at a time, their positions in registers: eight independent chains of
            // loads for the CPU to overlap.
            while first &+ Self.blockSize <= rowCount {
                let r0 = values + first &* width, r1 = r0 + width, r2 = r1 + width, r3 = r2 + width
                let r4 = r3 + width, r5 = r4 + width, r6 = r5 + width, r7 = r6 + width
                var p0 = start, p1 = start, p2 = start, p3 = start, p4 = start, p5 = start, p6 = start, p7 = start
                for _ in 0..<depth {
                    let n0 = nodes[p0], n1 = nodes[p1], n2 = nodes[p2], n3 = nodes[p3]
                    let n4 = nodes[p4], n5 = nodes[p5], n6 = nodes[p6], n7 = nodes[p7]
                    p0 = n0.step(r0)
                    p1 = n1.step(r1)
                    p2 = n2.step(r2)
                    p3 = n3.step(r3)
                    p4 = n4.step(r4)
                    p5 = n5.step(r5)
                    p6 = n6.step(r6)
                    p7 = n7.step(r7)
                }
                Self.addLeaves(leaves, p0, p1, p2, p3, p4, p5, p6, p7, to: out + first)
                first &+= Self.blockSize
            }
            while first < rowCount {
                let row = values + first &* width
                var position = start
                for _ in 0..<depth { position = nodes[position].step(row) }
                out[first] += leaves[position]
                first &+= 1
            }
        }
    }

    /// Adds the leaf values at the eight rows' positions to `o[0…7]`.
    @inline(__always)
    private static func addLeaves(_ leaves: UnsafePointer<Float>, _ p0: Int, _ p1: Int, _ p2: Int, _ p3: Int,
                                  _ p4: Int, _ p5: Int, _ p6: Int, _ p7: Int, to o: UnsafeMutablePointer<Float>) {
        o[0] += leaves[p0]
        o[1] += leaves[p1]
        o[2] += leaves[p2]
        o[3] += leaves[p3]
        o[4] += leaves[p4]
        o[5] += leaves[p5]
        o[6] += leaves[p6]
        o[7] += leaves[p7]
    }

    /// `addMargins` through the compact nodes: each row reaches the same leaves, added in the
    /// same tree order, as through `nodes` (see `withSubstitutedRows`).
    private func addCompactMargins(_ compact: [CompactNode], dense values: UnsafePointer<Float>, width: Int, rowCount: Int,
                                   into out: UnsafeMutablePointer<Float>) {
        withNodes(compact) { nodes, leaves in
            withSubstitutedRows(values, width: width, rowCount: rowCount) { clean, first, count in
                addTrees(nodes, leaves: leaves, rows: clean, width: width, rowCount: count, into: out + first)
            }
        }
    }

    /// Runs `body` with raw views of `layout`'s nodes and of the leaf values (nothing for an
    /// empty forest).
    private func withNodes<N>(_ layout: [N], _ body: (_ nodes: UnsafePointer<N>, _ leaves: UnsafePointer<Float>) -> Void) {
        layout.withUnsafeBufferPointer { nodeBuffer in
            leafValues.withUnsafeBufferPointer { leafBuffer in
                guard let nodes = nodeBuffer.baseAddress, let leaves = leafBuffer.baseAddress else { return }
                body(nodes, leaves)
            }
        }
    }

    /// `addMargins` through the keyed nodes: each row reaches the same leaves, added in the same
    /// tree order, as through `nodes`.
    ///
    /// The compact walk is bound by the latency of each step's chain of dependent operations
    /// (load the node, load the row's value at its column, compare, next index), eight rows
    /// side by side. Here the chain is shorter: the values are order keys compared as
    /// integers (a compare of floats takes longer), and the eight rows of a block are stored
    /// column by column (`withSubstitutedKeyBlocks`), so that one pointer reaches all eight
    /// (with eight row pointers besides eight positions, the registers ran out) and the
    /// column's offset is the link's byte, scaled in the address.
    private func addKeyedMargins(_ keyed: [KeyedNode], dense values: UnsafePointer<Float>, width: Int, rowCount: Int,
                                 into out: UnsafeMutablePointer<Float>) {
        withNodes(keyed) { nodes, leaves in
            withSubstitutedKeyBlocks(values, width: width, rowCount: rowCount) { blocks, first, count in
                addKeyedTrees(nodes, leaves: leaves, blocks: blocks, width: width, rowCount: count, into: out + first)
            }
        }
    }

    @inline(__always)
    private func addKeyedTrees(_ nodes: UnsafePointer<KeyedNode>, leaves: UnsafePointer<Float>, blocks: UnsafePointer<UInt32>,
                               width: Int, rowCount: Int, into out: UnsafeMutablePointer<Float>) {
        /// The next node for the row at `lane` of block `b`: left, or right when the row's key
        /// is at least the threshold's (bools widened, not selected: see `Node.next`).
        @inline(__always)
        func next(_ node: KeyedNode, _ b: UnsafePointer<UInt32>, _ lane: Int) -> Int {
            let key = b[Int(node.link & 0xFF) &<< 1 | lane]
            return Int(node.link >> 8 &+ UInt32(unsafeBitCast(key >= node.threshold, to: UInt8.self)))
        }
        let blockStride = Self.blockSize * width
        withUnsafeTemporaryAllocation(of: Int.self, capacity: Self.blockSize) { ends in
            for (tree, root) in roots.enumerated() {
                let depth = depths[tree]
                let start = Int(root)
                var first = 0
                var b = blocks
                while first < rowCount {
                    var p0 = start, p1 = start, p2 = start, p3 = start, p4 = start, p5 = start, p6 = start, p7 = start
                    for _ in 0..<depth {
                        let n0 = nodes[p0], n1 = nodes[p1], n2 = nodes[p2], n3 = nodes[p3]
                        let n4 = nodes[p4], n5 = nodes[p5], n6 = nodes[p6], n7 = nodes[p7]
                        p0 = next(n0, b, 0)
                        p1 = next(n1, b, 1)
                        p2 = next(n2, b, 2)
                        p3 = next(n3, b, 3)
                        p4 = next(n4, b, 4)
                        p5 = next(n5, b, 5)
                        p6 = next(n6, b, 6)
                        p7 = next(n7, b, 7)
                    }
                    let o = out + first
                    if first &+ Self.blockSize <= rowCount {
                        Self.addLeaves(leaves, p0, p1, p2, p3, p4, p5, p6, p7, to: o)
                    } else {
                        // The last block's rows past `rowCount` are padding: walked, not added.
                        ends[0] = p0
                        ends[1] = p1
                        ends[2] = p2
                        ends[3] = p3
                        ends[4] = p4
                        ends[5] = p5
                        ends[6] = p6
                        ends[7] = p7
                        for row in 0..<(rowCount - first) { o[row] += leaves[ends[row]] }
                    }
                    first &+= Self.blockSize
                    b += blockStride
                }
            }
        }
    }

    /// Calls `body` with the rows' order keys, `substitutionRows` rows at a time, each missing
    /// value replaced as `withSubstitutedRows` replaces it, in blocks of `blockSize` rows stored
    /// column by column: row `r`'s column `c` at `(r / 8) · 8 · width + 8 · c + r % 8`. The
    /// last block's rows past the slice's are the key of 0.
    private func withSubstitutedKeyBlocks(_ values: UnsafePointer<Float>, width: Int, rowCount: Int,
                                          _ body: (_ blocks: UnsafePointer<UInt32>, _ first: Int, _ count: Int) -> Void) {
        // `substitutionRows` is a multiple of `blockSize`, so a padded slice fits.
        withSubstitutedSlices(values, width: width, rowCount: rowCount, as: UInt32.self, fill: { source, count, substitutes, keys in
            let padded = (count + Self.blockSize - 1) / Self.blockSize * Self.blockSize
            for row in 0..<padded {
                let target = keys + (row / Self.blockSize) * Self.blockSize * width + row % Self.blockSize
                if row < count {
                    for column in 0..<width {
                        let x = source[row * width + column]
                        target[column * Self.blockSize] = Self.orderKey(x.isNaN ? substitutes[column] : x)
                    }
                } else {
                    for column in 0..<width { target[column * Self.blockSize] = Self.orderKey(0) }
                }
            }
        }, body)
    }

    /// Calls `body` with the rows copied, `substitutionRows` at a time, each missing value
    /// replaced by its column's substitute, which every split sends where it sends a missing
    /// value; so each step of the compact walk is one compare (`x >= threshold`).
    private func withSubstitutedRows(_ values: UnsafePointer<Float>, width: Int, rowCount: Int,
                                     _ body: (_ rows: UnsafePointer<Float>, _ first: Int, _ count: Int) -> Void) {
        withSubstitutedSlices(values, width: width, rowCount: rowCount, as: Float.self, fill: { source, count, substitutes, clean in
            for row in 0..<count {
                for column in 0..<width {
                    let x = source[row * width + column]
                    clean[row * width + column] = x.isNaN ? substitutes[column] : x
                }
            }
        }, body)
    }

    /// The slicing both layouts share: `fill` writes each slice of at most `substitutionRows`
    /// rows (from `source`, with the substitutes) into a buffer on the stack of
    /// `substitutionRows · width` values, which `body` then reads.
    @inline(__always)
    private func withSubstitutedSlices<T>(_ values: UnsafePointer<Float>, width: Int, rowCount: Int, as: T.Type,
                                          fill: (_ source: UnsafePointer<Float>, _ count: Int, _ substitutes: UnsafeBufferPointer<Float>,
                                                 _ into: UnsafeMutablePointer<T>) -> Void,
                                          _ body: (_ slice: UnsafePointer<T>, _ first: Int, _ count: Int) -> Void) {
        substitutes.withUnsafeBufferPointer { substitutes in
            withUnsafeTemporaryAllocation(of: T.self, capacity: max(1, Self.substitutionRows * width)) { buffer in
                guard let slice = buffer.baseAddress else { return }
                var sliceStart = 0
                while sliceStart < rowCount {
                    let sliceCount = min(Self.substitutionRows, rowCount - sliceStart)
                    fill(values + sliceStart * width, sliceCount, substitutes, slice)
                    body(UnsafePointer(slice), sliceStart, sliceCount)
                    sliceStart += sliceCount
                }
            }
        }
    }

    // MARK: Path attributions

    /// Adds Saabas's path attributions of `rowCount` rows to `phi` (row `r`'s at
    /// `phi + r * phiStride`, one value per column): along each row's path through each tree,
    /// the split's column gets the change of the expected value from node to child, tree by
    /// tree in order, as `CompiledModel.approximateContributions(dense:into:)` adds them for
    /// one row, so the sums are the same. Four rows walk side by side; a leaf's remaining
    /// steps add its own mean minus itself (+0) to column 0, which changes no value as long as
    /// every mean is finite (`meansAreFinite`; `CompiledModel` walks row by row otherwise).
    func addAttributions(dense values: UnsafePointer<Float>, width: Int, rowCount: Int,
                         into phi: UnsafeMutablePointer<Float>, phiStride: Int) {
        means.withUnsafeBufferPointer { meanBuffer in
            guard let means = meanBuffer.baseAddress else { return }
            if let compact, width <= Self.compactMaxWidth {
                compact.withUnsafeBufferPointer { nodeBuffer in
                    guard let nodes = nodeBuffer.baseAddress else { return }
                    withSubstitutedRows(values, width: width, rowCount: rowCount) { clean, first, count in
                        attributeTrees(nodes, means: means, rows: clean, width: width, rowCount: count,
                                       into: phi + first * phiStride, phiStride: phiStride)
                    }
                }
                return
            }
            nodes.withUnsafeBufferPointer { nodeBuffer in
                guard let nodes = nodeBuffer.baseAddress else { return }
                attributeTrees(nodes, means: means, rows: values, width: width, rowCount: rowCount, into: phi, phiStride: phiStride)
            }
        }
    }

    @inline(__always)
    private func attributeTrees<N: Step>(_ nodes: UnsafePointer<N>, means: UnsafePointer<Float>, rows values: UnsafePointer<Float>,
                                         width: Int, rowCount: Int, into phi: UnsafeMutablePointer<Float>, phiStride: Int) {
        for (tree, root) in roots.enumerated() {
            let depth = depths[tree]
            let start = Int(root)
            let rootMean = means[start]
            var first = 0
            while first &+ 4 <= rowCount {
                let r0 = values + first &* width, r1 = r0 + width, r2 = r1 + width, r3 = r2 + width
                let f0 = phi + first &* phiStride, f1 = f0 + phiStride, f2 = f1 + phiStride, f3 = f2 + phiStride
                var p0 = start, p1 = start, p2 = start, p3 = start
                var m0 = rootMean, m1 = rootMean, m2 = rootMean, m3 = rootMean
                for _ in 0..<depth {
                    let n0 = nodes[p0], n1 = nodes[p1], n2 = nodes[p2], n3 = nodes[p3]
                    p0 = n0.step(r0)
                    p1 = n1.step(r1)
                    p2 = n2.step(r2)
                    p3 = n3.step(r3)
                    let next0 = means[p0], next1 = means[p1], next2 = means[p2], next3 = means[p3]
                    f0[n0.splitColumn] += next0 - m0
                    f1[n1.splitColumn] += next1 - m1
                    f2[n2.splitColumn] += next2 - m2
                    f3[n3.splitColumn] += next3 - m3
                    m0 = next0
                    m1 = next1
                    m2 = next2
                    m3 = next3
                }
                first &+= 4
            }
            while first < rowCount {
                let row = values + first &* width
                let f = phi + first &* phiStride
                var position = start
                var mean = rootMean
                for _ in 0..<depth {
                    let node = nodes[position]
                    position = node.step(row)
                    let next = means[position]
                    f[node.splitColumn] += next - mean
                    mean = next
                }
                first &+= 1
            }
        }
    }
}
