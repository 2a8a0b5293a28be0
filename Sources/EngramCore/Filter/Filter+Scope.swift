extension Filter {
    /// The scope ids every matching memory has: those the filter requires by equality with a string, at
    /// the top or inside nested `AND`s, in order. Any other shape pins nothing.
    public var pinnedScope: [(field: MemoryField, value: String)] {
        var pinned: [(field: MemoryField, value: String)] = []
        func collect(_ filter: Filter) {
            switch filter {
            case .and(let children):
                children.forEach(collect)
            case .compare(.field(let field), .eq, .string(let value)) where MemoryField.scopeIDs.contains(field):
                if !pinned.contains(where: { $0.field == field && $0.value == value }) { pinned.append((field, value)) }
            default:
                break
            }
        }
        collect(self)
        return pinned
    }
}
