/// Single-server membership changes (thesis §4.1): each committed `ConfChange` adds, removes,
/// or promotes exactly one member, so the old and new majorities always overlap.
extension Raft {
    /// Applies a committed change to the configuration and returns the new membership.
    func applyConfChange(_ cc: ConfChange) -> ConfState {
        var voters = tracker.voters
        var learners = tracker.learners
        switch cc.kind {
        case .addNode:
            learners.removeAll { $0 == cc.nodeID }
            if !voters.contains(cc.nodeID) { voters.append(cc.nodeID) }
        case .addLearner:
            // Only new members become learners. Demoting a voter is not a single-server change
            // here: remove it, then add it back as a learner. On a voter this is a no-op.
            if !voters.contains(cc.nodeID) && !learners.contains(cc.nodeID) {
                learners.append(cc.nodeID)
            }
        case .removeNode:
            voters.removeAll { $0 == cc.nodeID }
            learners.removeAll { $0 == cc.nodeID }
        }
        let cs = ConfState(voters: voters, learners: learners)
        switchToConfiguration(cs)
        return tracker.confState
    }

    func switchToConfiguration(_ cs: ConfState) {
        tracker.setConfiguration(cs, lastIndex: log.lastIndex())
        if role == .leader && !tracker.isVoter(id) {
            // This leader was removed (or demoted): step down; the others elect a new leader
            // within an election timeout.
            becomeFollower(term: term, leader: 0)
            return
        }
        guard role == .leader, !tracker.voters.isEmpty else { return }
        if let me = tracker.progress[id], me.match < log.lastIndex() {
            _ = me.maybeUpdate(log.lastIndex())
        }
        // The quorum may have shrunk: something may commit now.
        if maybeCommit() {
            broadcastAppend()
        } else {
            for peer in tracker.members where peer != id {
                _ = maybeSendAppend(to: peer, sendIfEmpty: false)
            }
        }
        if leadTransferee != 0 && !tracker.isVoter(leadTransferee) {
            leadTransferee = 0
        }
    }
}
