// Package logs builds the workload's CloudWatch Logs groups the one way this
// app allows: encrypted with a customer-managed KMS key that CloudWatch Logs
// may use only for the named groups, kept for a set number of days,
// retained when the stack is deleted and deleted when the deployment that
// created them rolls back (RetainExceptOnCreate).
//
// A group must be named before it exists (its key's policy names it, and
// WAF and RDS find theirs by name), yet a retained group keeps its name after
// its stack is gone. StackUnique ends such a name with a suffix of the
// stack's ID, so that the next instance of the stack never collides with
// what an earlier one kept.
//
// It is the building block behind TRAIL-3, NET-3, DB-5 and EDGE-5 (their
// log groups), KMS-1 (the keys rotate), RET-1 (keys and groups are retained)
// and LIFE-1 (no retained group under a fixed name).
package logs
