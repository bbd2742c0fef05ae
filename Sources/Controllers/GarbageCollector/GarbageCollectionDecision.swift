import APIModel
import ClusterClient

/// What the garbage collector knows of one owner named by a dependent's ownerReference.
enum OwnerState: Sendable, Equatable {
    /// No object with that name and uid (verified by a live read: a different uid is absent).
    case absent
    /// Exists and is not being deleted in the foreground.
    case present
    /// Being deleted with `foregroundDeletion`: waiting for its dependents to go.
    case waitingForDependents
    /// The owner's kind is not one the collector can read: treated as present, since
    /// deleting on a guess would lose data.
    case unknownKind
}

/// The garbage collector's decision for one dependent (Kubernetes' attemptToDeleteItem).
enum DependentDecision: Sendable, Equatable {
    case keep
    /// Delete the dependent with this propagation policy.
    case delete(DeleteOptions.Propagation)
    /// Some owners are gone but a live one remains: drop the references to these uids.
    case removeOwnerReferences(Set<String>)

    static func decide(dependent: JSONValue, owners: [String: OwnerState]) -> DependentDecision {
        let references = dependent.ownerReferences
        guard !references.isEmpty, !dependent.isBeingDeleted else { return .keep }
        var solid: [OwnerReference] = []
        var dangling: [OwnerReference] = []
        var waiting: [OwnerReference] = []
        for reference in references {
            switch owners[reference.uid] ?? .present {
            case .absent: dangling.append(reference)
            case .present, .unknownKind: solid.append(reference)
            case .waitingForDependents: waiting.append(reference)
            }
        }
        if !solid.isEmpty {
            let stale = Set((dangling + waiting).map(\.uid))
            return stale.isEmpty ? .keep : .removeOwnerReferences(stale)
        }
        if !waiting.isEmpty { return .delete(.foreground) }
        // Every owner is gone: the dependent goes, honouring its own pending propagation.
        let finalizers = dependent.finalizers
        if finalizers.contains(GarbageCollectionFinalizers.orphan) { return .delete(.orphan) }
        if finalizers.contains(GarbageCollectionFinalizers.foreground) { return .delete(.foreground) }
        return .delete(.background)
    }
}

/// The finalizers the apiserver sets for Orphan and Foreground propagation.
enum GarbageCollectionFinalizers {
    static let orphan = "orphan"
    static let foreground = "foregroundDeletion"
}

/// What the collector does with an owner that is being deleted.
enum OwnerDeletionMode: Sendable, Equatable {
    case none
    /// `foregroundDeletion`: delete the dependents, remove the finalizer once no blocking one is left.
    case foreground
    /// `orphan`: drop this owner from every dependent's references, then remove the finalizer.
    case orphan

    static func of(_ object: JSONValue) -> OwnerDeletionMode {
        guard object.isBeingDeleted else { return .none }
        let finalizers = object.finalizers
        if finalizers.contains(GarbageCollectionFinalizers.orphan) { return .orphan }
        if finalizers.contains(GarbageCollectionFinalizers.foreground) { return .foreground }
        return .none
    }

    /// The owner's state as its dependents see it.
    static func ownerState(_ object: JSONValue) -> OwnerState {
        of(object) == .foreground ? .waitingForDependents : .present
    }
}

extension JSONValue {
    /// Whether this dependent blocks the foreground deletion of the owner `uid`.
    func blocksDeletion(ofOwner uid: String) -> Bool {
        ownerReferences.contains { $0.uid == uid && $0.blockOwnerDeletion }
    }

    /// This object with the owner references to `uids` removed.
    func removingOwnerReferences(_ uids: Set<String>) -> JSONValue {
        var object = self
        object.modify("metadata") { metadata in
            guard var m = metadata else { return }
            let kept = (m["ownerReferences"]?.arrayValue ?? []).filter { !uids.contains($0["uid"]?.stringValue ?? "") }
            m["ownerReferences"] = kept.isEmpty ? nil : .array(kept)
            metadata = m
        }
        return object
    }

    /// This object without the finalizer `name`.
    func removingFinalizer(_ name: String) -> JSONValue {
        var object = self
        object.modify("metadata") { metadata in
            guard var m = metadata else { return }
            let kept = (m["finalizers"]?.arrayValue ?? []).filter { $0.stringValue != name }
            m["finalizers"] = kept.isEmpty ? nil : .array(kept)
            metadata = m
        }
        return object
    }
}
