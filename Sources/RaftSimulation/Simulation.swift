import Raft
import Linearizability
