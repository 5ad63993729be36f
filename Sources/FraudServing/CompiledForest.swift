/// A tree ensemble compiled into flat struct-of-arrays storage for fast inference.
///
/// Nodes of all trees live in one array of 24-byte ``Node``s (a step reads one cache
/// line), numbered depth-first so that a path from the root walks forward in memory. A
/// child index `c < 0` names leaf `~c` in `leafValues`.
///
/// # Guarantees
/// - Immutable after `init`; safe to share across threads with no locks.
/// - Every child index points forward (checked at compile time), so traversal always
///   ends: a malformed tree is rejected by ``compile(_:featureCount:groupCount:)``.
///
/// `@unchecked Sendable`: the raw buffers are allocated and written only in `init`,
/// read-only afterwards, and freed in `deinit`.
final class CompiledForest: @unchecked Sendable {
    let treeCount: Int
    let nodeCount: Int
    let leafCount: Int
    let featureCount: Int
    let groupCount: Int

    /// Root of each tree (negative for a single-leaf tree).
    let roots: UnsafeMutablePointer<Int32>
    /// Output group of each tree.
    let groups: UnsafeMutablePointer<Int32>
    let nodes: UnsafeMutablePointer<Node>
    let leafValues: UnsafeMutablePointer<Double>

    /// One split, with everything a step reads side by side.
    struct Node {
        var threshold: Double = 0
        var feature: Int32 = 0
        var left: Int32 = -1
        var right: Int32 = -1
        /// Bit 0: missing goes left. Bit 1: values within ±`zeroThreshold` count as missing.
        /// Bit 2: `x == threshold` goes left. Bit 3: `x <= threshold` goes left. Without
        /// bits 1–3 a split takes the fast path, `x < threshold`.
        var flags: UInt8 = 0
    }

    static let defaultLeftFlag: UInt8 = 1
    static let zeroIsMissingFlag: UInt8 = 2
    static let equalFlag: UInt8 = 4
    static let lessOrEqualFlag: UInt8 = 8
    /// Flags that take a split off the `x < threshold` fast path.
    static let slowPathFlags: UInt8 = zeroIsMissingFlag | equalFlag | lessOrEqualFlag

    /// Why a tree could not be compiled.
    struct CompileError: Error {
        var tree: Int
        var node: Int
        var reason: String
    }

    /// Compiles `trees`, checking every index; throws on the first malformed tree.
    static func compile(_ trees: [TreeDescription], featureCount: Int, groupCount: Int) throws(CompileError)
        -> CompiledForest
    {
        var splitCount = 0
        var leafTotal = 0
        for tree in trees {
            let leaves = tree.leftChild.reduce(0) { $0 + ($1 < 0 ? 1 : 0) }
            leafTotal += leaves
            splitCount += tree.nodeCount - leaves
        }
        // Compiled nodes, leaves, features and groups are addressed with 32-bit indices
        // (the loaders already hold features and groups to ModelLimits).
        guard splitCount <= ModelLimits.maxNodes && leafTotal <= ModelLimits.maxNodes else {
            throw CompileError(tree: 0, node: 0, reason: "the model has more than \(ModelLimits.maxNodes) nodes")
        }
        guard featureCount <= ModelLimits.maxFeatures && groupCount <= ModelLimits.maxClasses else {
            throw CompileError(
                tree: 0, node: 0,
                reason: "the model has more than \(ModelLimits.maxFeatures) features or \(ModelLimits.maxClasses) outputs")
        }
        let forest = CompiledForest(
            treeCount: trees.count, nodeCount: splitCount, leafCount: leafTotal,
            featureCount: featureCount, groupCount: groupCount)
        var nextNode = 0
        var nextLeaf = 0
        for (treeIndex, tree) in trees.enumerated() {
            guard tree.nodeCount > 0 else { throw CompileError(tree: treeIndex, node: 0, reason: "tree has no nodes") }
            guard tree.group >= 0 && tree.group < groupCount else {
                throw CompileError(tree: treeIndex, node: 0, reason: "output group \(tree.group) is not below \(groupCount)")
            }
            forest.groups[treeIndex] = Int32(tree.group)
            var visited = [Bool](repeating: false, count: tree.nodeCount)
            // Depth-first, left subtree first; an explicit stack bounds the depth safely.
            // Each entry: source node, and where to store its compiled index (parent slot).
            var stack: [(source: Int, parent: Int, isLeft: Bool)] = [(0, -1, false)]
            while let (source, parent, isLeft) = stack.popLast() {
                guard source >= 0 && source < tree.nodeCount else {
                    throw CompileError(tree: treeIndex, node: parent, reason: "child index \(source) is out of range")
                }
                guard !visited[source] else {
                    throw CompileError(tree: treeIndex, node: source, reason: "node is reachable twice (not a tree)")
                }
                visited[source] = true
                let compiled: Int32
                if tree.leftChild[source] < 0 {
                    guard tree.leafValue[source].isFinite else {
                        throw CompileError(tree: treeIndex, node: source, reason: "leaf value is not finite")
                    }
                    forest.leafValues[nextLeaf] = tree.leafValue[source]
                    compiled = ~Int32(nextLeaf)
                    nextLeaf += 1
                } else {
                    let featureIndex = tree.feature[source]
                    guard featureIndex >= 0 && featureIndex < featureCount else {
                        throw CompileError(
                            tree: treeIndex, node: source,
                            reason: "split feature \(featureIndex) is outside the model's \(featureCount) features")
                    }
                    guard !tree.threshold[source].isNaN else {
                        throw CompileError(tree: treeIndex, node: source, reason: "split threshold is NaN")
                    }
                    let index = nextNode
                    nextNode += 1
                    forest.nodes[index].feature = Int32(featureIndex)
                    forest.nodes[index].threshold = tree.threshold[source]
                    let comparisonFlag: UInt8
                    switch tree.comparison[source] {
                    case .less: comparisonFlag = 0
                    case .lessOrEqual: comparisonFlag = lessOrEqualFlag
                    case .equal: comparisonFlag = equalFlag
                    }
                    forest.nodes[index].flags =
                        (tree.defaultLeft[source] ? defaultLeftFlag : 0)
                        | (tree.zeroIsMissing[source] ? zeroIsMissingFlag : 0) | comparisonFlag
                    compiled = Int32(index)
                    // Push right first so the left subtree is numbered next.
                    stack.append((tree.rightChild[source], index, false))
                    stack.append((tree.leftChild[source], index, true))
                }
                if parent < 0 {
                    forest.roots[treeIndex] = compiled
                } else if isLeft {
                    forest.nodes[parent].left = compiled
                } else {
                    forest.nodes[parent].right = compiled
                }
            }
        }
        return forest
    }

    private init(treeCount: Int, nodeCount: Int, leafCount: Int, featureCount: Int, groupCount: Int) {
        self.treeCount = treeCount
        self.nodeCount = nodeCount
        self.leafCount = leafCount
        self.featureCount = featureCount
        self.groupCount = groupCount
        roots = .allocate(capacity: max(treeCount, 1))
        groups = .allocate(capacity: max(treeCount, 1))
        nodes = .allocate(capacity: max(nodeCount, 1))
        leafValues = .allocate(capacity: max(leafCount, 1))
        roots.initialize(repeating: -1, count: max(treeCount, 1))
        groups.initialize(repeating: 0, count: max(treeCount, 1))
        nodes.initialize(repeating: Node(), count: max(nodeCount, 1))
        leafValues.initialize(repeating: 0, count: max(leafCount, 1))
    }

    deinit {
        roots.deallocate()
        groups.deallocate()
        nodes.deallocate()
        leafValues.deallocate()
    }

    /// The leaf value tree `tree` reaches for `row` (which has `featureCount` values).
    @inline(__always)
    func leafValue(tree: Int, row: UnsafePointer<Double>) -> Double {
        var node = roots[tree]
        while node >= 0 { node = step(node, row) }
        return leafValues[Int(~node)]
    }

    /// The child of split `node` that `row` goes to.
    @inline(__always)
    func step(_ node: Int32, _ row: UnsafePointer<Double>) -> Int32 {
        let split = nodes + Int(node)
        let x = row[Int(split.pointee.feature)]
        let nodeFlags = split.pointee.flags
        let threshold = split.pointee.threshold
        let goLeft: Bool
        if x.isNaN || nodeFlags & Self.slowPathFlags != 0 {
            if x.isNaN || (nodeFlags & Self.zeroIsMissingFlag != 0 && x.magnitude <= zeroThreshold) {
                goLeft = nodeFlags & Self.defaultLeftFlag != 0
            } else if nodeFlags & Self.equalFlag != 0 {
                goLeft = x == threshold
            } else if nodeFlags & Self.lessOrEqualFlag != 0 {
                goLeft = x <= threshold
            } else {
                goLeft = x < threshold
            }
        } else {
            goLeft = x < threshold
        }
        return goLeft ? split.pointee.left : split.pointee.right
    }

    /// Adds every tree's leaf value for `rowCount` rows into `sums` (`rowCount × groupCount`,
    /// pre-filled with the base margins), tree by tree in model order as the reference
    /// libraries do, accumulating in `Accumulator` precision.
    @inline(__always)
    func accumulate<Accumulator: BinaryFloatingPoint>(
        rows: UnsafePointer<Double>, rowCount: Int, sums: UnsafeMutablePointer<Accumulator>
    ) {
        let width = featureCount
        let groupsPerRow = groupCount
        for tree in 0..<treeCount {
            let group = Int(groups[tree])
            for row in 0..<rowCount {
                let value = leafValue(tree: tree, row: rows + row * width)
                sums[row * groupsPerRow + group] += Accumulator(value)
            }
        }
    }

    /// Combines every tree's leaf value for `rowCount` rows into `sums` (`rowCount × groupCount`)
    /// by minimum or maximum. An entry still NaN (the "no tree yet" mark `sums` must be
    /// pre-filled with) takes the first value; leaf values are finite, so NaN never survives
    /// a group that has trees.
    func accumulateExtreme(rows: UnsafePointer<Double>, rowCount: Int, sums: UnsafeMutablePointer<Double>, minimum: Bool) {
        let width = featureCount
        let groupsPerRow = groupCount
        for tree in 0..<treeCount {
            let group = Int(groups[tree])
            for row in 0..<rowCount {
                let value = leafValue(tree: tree, row: rows + row * width)
                let slot = sums + row * groupsPerRow + group
                if slot.pointee.isNaN || (minimum ? value < slot.pointee : value > slot.pointee) { slot.pointee = value }
            }
        }
    }
}
