import CPrefetch

/// The featurizer over a batch of labels, as the compiled scorer calls it: the same features as
/// `computeAll` one label at a time (it calls the same code for each label), minus two costs of
/// the one-by-one calls that were most of the time not spent on the features themselves:
/// - the hot loop holds no closure that captures the featurizer, so no copy of it (thirty-odd
///   reference counts up and down) is made per label;
/// - labels are normalised a few ahead of the one being featurized, and the cache lines their
///   n-gram and character-model lookups read first are prefetched, so that those misses overlap
///   with work instead of stalling it.
extension Featurizer {
    /// Labels normalised ahead of the one featurized: enough that their prefetches complete
    /// (a label's features take on the order of a microsecond, a miss to memory a tenth of it).
    static let prefetchDistance = 4
    /// Slots of normalised labels in flight (a power of two above `prefetchDistance`).
    private static let ringSlots = 8
    /// Bytes per slot: longer labels (no DNS label is) take the one-by-one path.
    private static let slotBytes = 256

    /// Dense rows of `labels[range]` (labels without hosts), the features at `columns` of a full
    /// row in that order, row-major into `out` (`range.count × columns.count` values).
    func fillRows(_ labels: UnsafeBufferPointer<String>, _ range: Range<Int>, columns: [Int], tables: TableUse,
                  into out: UnsafeMutablePointer<Float>) {
        let usesGramIndex = gramIndex != nil && tables.isSuperset(of: [.popular, .dictionary, .coverage])
        let usesModel = tables.contains(.characterModel)
        let usesLogit = tables.contains(.logit) && ngramLogit != nil
        // Each slot's n-gram buckets for `ngram_logit`, hashed when the label is staged.
        let bucketSlot = usesLogit ? configuration.hashing.bucketCapacity(length: Self.slotBytes) : 1
        let slots = Self.ringSlots, slotBytes = Self.slotBytes, distance = Self.prefetchDistance
        // Every feature in column order (the job's models): each label's features are written
        // straight into its row of `out`, not into a scratch row copied column by column.
        let width = DomainFeature.allCases.count
        let wholeRows = columns.count == width && columns.elementsEqual(0..<width)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: slots * slotBytes) { arena in
        // Per slot: the normalised label's start and length at 2·slot and 2·slot + 1, and its
        // bucket count (-1: none hashed) at 2·slots + slot.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * slots) { spans in
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: slots * bucketSlot) { buckets in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: DomainFeature.allCases.count) { row in
        columns.withUnsafeBufferPointer { columns in
        withGramPrefetcher(usesGramIndex) { grams in
        characterModel.withPrefetcher(usesModel) { model in
        withLogitPrefetcher(usesLogit) { logit in
        withLookups { lookups in
            guard let arenaBase = arena.baseAddress else { return }
            /// Normalises `labels[index]` into its slot and prefetches for it; a label that is not
            /// contiguous ASCII of at most `slotBytes` bytes gets start -1 (the one-by-one path).
            func stage(_ index: Int) {
                let slot = index & (slots - 1)
                let bytes = arenaBase + slot * slotBytes
                // Bounded: at most `slotBytes` bytes are written into this slot's span of the arena.
                let span = labels[index].utf8.withContiguousStorageIfAvailable { source -> (Int, Int) in
                    guard source.count <= slotBytes else { return (-1, 0) }
                    for (offset, byte) in source.enumerated() {
                        guard byte < 0x80 else { return (-1, 0) }
                        bytes[offset] = LabelText.lower(byte)
                    }
                    let kept = LabelText.trimmed(UnsafeBufferPointer(start: bytes, count: source.count))
                    return (kept.lowerBound, kept.count)
                } ?? (-1, 0)
                spans[2 * slot] = span.0
                spans[2 * slot + 1] = span.1
                spans[2 * slots + slot] = -1
                guard span.0 >= 0 else { return }
                let normalized = UnsafeBufferPointer(start: bytes + span.0, count: span.1)
                grams?.prefetch(normalized)
                model?.prefetch(normalized)
                if let logit {
                    let room = UnsafeMutableBufferPointer(rebasing: buckets[(slot * bucketSlot)..<((slot + 1) * bucketSlot)])
                    spans[2 * slots + slot] = logit.prefetch(normalized, into: room)
                }
            }
            for index in range.prefix(distance) { stage(index) }
            var position = 0
            for index in range {
                if index + distance < range.upperBound { stage(index + distance) }
                let slot = index & (slots - 1)
                let start = spans[2 * slot]
                let target = wholeRows ? UnsafeMutableBufferPointer(start: out + position, count: width) : row
                if start >= 0 {
                    let hashed = spans[2 * slots + slot]
                    let logitBuckets = hashed >= 0
                        ? UnsafeBufferPointer(rebasing: buckets[(slot * bucketSlot)..<(slot * bucketSlot + hashed)]) : nil
                    computeAll(bytes: UnsafeBufferPointer(start: arenaBase + slot * slotBytes + start, count: spans[2 * slot + 1]),
                               labelCount: .nan, tables: tables, into: target, logitBuckets: logitBuckets, lookups: lookups)
                } else {
                    computeAll(DomainInput(label: labels[index]), tables: tables, into: target)
                }
                if wholeRows {
                    position += width
                } else {
                    for column in columns {
                        out[position] = row[column]
                        position += 1
                    }
                }
            }
        }
        }
        }
        }
        }
        }
        }
        }
        }
    }

    private func withLogitPrefetcher<R>(_ wanted: Bool, _ body: (NGramLogit.Prefetcher?) -> R) -> R {
        guard wanted, let ngramLogit else { return body(nil) }
        return ngramLogit.withPrefetcher(hashing: configuration.hashing, body)
    }

    private func withGramPrefetcher<R>(_ wanted: Bool, _ body: (GramIndex.Prefetcher?) -> R) -> R {
        guard wanted, let gramIndex else { return body(nil) }
        return gramIndex.withPrefetcher(body)
    }
}

extension CharacterModel {
    /// A raw view of the trigram log-probabilities for `prefetch`; valid only inside the body of
    /// `withPrefetcher`.
    struct Prefetcher {
        let logs: UnsafePointer<Float>

        /// Asks for the cache lines of the label's trigram log-probabilities (a 256 KB table, one
        /// read per character).
        @inline(__always)
        func prefetch(_ bytes: UnsafeBufferPointer<UInt8>) {
            let n = CharacterModel.symbolCount
            // Bounded: symbols are below n, so every index is below n³, the table's size.
            var a = CharacterModel.boundary, b = CharacterModel.boundary
            for byte in bytes {
                let c = Int(CharacterModel.symbol(byte))
                runme_prefetch(logs + ((a * n + b) * n + c))
                a = b
                b = c
            }
        }
    }

    func withPrefetcher<R>(_ wanted: Bool, _ body: (Prefetcher?) -> R) -> R {
        let n = Self.symbolCount
        return logProbabilities.withUnsafeBufferPointer { logs in
            guard wanted, let base = logs.baseAddress, logs.count == n * n * n else { return body(nil) }
            return body(Prefetcher(logs: base))
        }
    }
}
