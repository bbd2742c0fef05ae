/// The membership and the leader's per-member progress, plus the votes of an election.
///
/// Members are kept in sorted arrays so that every iteration (and so every message order) is
/// deterministic, which the seeded simulation relies on.
final class ProgressTracker {
    private(set) var voters: [NodeID] = []
    private(set) var learners: [NodeID] = []
    /// Voters then learners, sorted within each group.
    private(set) var members: [NodeID] = []
    private(set) var progress: [NodeID: Progress] = [:]
    private var votes: [NodeID: Bool] = [:]
    let maxInflight: Int

    init(maxInflight: Int) {
        self.maxInflight = maxInflight
    }

    var confState: ConfState { ConfState(voters: voters, learners: learners) }

    func isVoter(_ id: NodeID) -> Bool { voters.contains(id) }
    func isLearner(_ id: NodeID) -> Bool { learners.contains(id) }

    var quorum: Int { voters.count / 2 + 1 }

    /// Replaces the membership; existing progress is kept for members that remain.
    func setConfiguration(_ cs: ConfState, lastIndex: UInt64) {
        voters = Array(Set(cs.voters)).sorted()
        learners = Array(Set(cs.learners).subtracting(voters)).sorted()
        members = voters + learners
        var fresh: [NodeID: Progress] = [:]
        for id in members {
            let learner = learners.contains(id)
            if let p = progress[id] {
                p.isLearner = learner
                fresh[id] = p
            } else {
                fresh[id] = Progress(match: 0, next: max(lastIndex, 1), maxInflight: maxInflight,
                                     isLearner: learner, recentActive: true)
            }
        }
        progress = fresh
    }

    /// Replaces every member's progress (a new term starts).
    func resetProgress(selfID: NodeID, lastIndex: UInt64) {
        for id in members {
            let p = Progress(match: 0, next: lastIndex + 1, maxInflight: maxInflight,
                             isLearner: learners.contains(id), recentActive: false)
            if id == selfID {
                p.match = lastIndex
                p.recentActive = true
            }
            progress[id] = p
        }
    }

    /// The highest index stored on a quorum of voters.
    func committedIndex() -> UInt64 {
        if voters.isEmpty { return UInt64.max }
        var matches: [UInt64] = []
        matches.reserveCapacity(voters.count)
        for id in voters { matches.append(progress[id]?.match ?? 0) }
        matches.sort()
        return matches[voters.count - quorum]
    }

    /// Whether a quorum of voters was heard from recently (check-quorum).
    func quorumActive(selfID: NodeID) -> Bool {
        var active = 0
        for id in voters where id == selfID || progress[id]?.recentActive == true {
            active += 1
        }
        return active >= quorum
    }

    enum VoteResult { case pending, won, lost }

    func resetVotes() { votes.removeAll(keepingCapacity: true) }

    /// Records a vote (the first one from each voter counts) and tallies the election.
    func recordVote(from id: NodeID, granted: Bool) -> (granted: Int, rejected: Int, result: VoteResult) {
        if votes[id] == nil { votes[id] = granted }
        return tally(votes)
    }

    func tally(_ responses: [NodeID: Bool]) -> (granted: Int, rejected: Int, result: VoteResult) {
        var granted = 0
        var rejected = 0
        for id in voters {
            switch responses[id] {
            case true?: granted += 1
            case false?: rejected += 1
            case nil: break
            }
        }
        let missing = voters.count - granted - rejected
        if granted >= quorum { return (granted, rejected, .won) }
        if granted + missing >= quorum { return (granted, rejected, .pending) }
        return (granted, rejected, .lost)
    }
}
