// Package logs builds the workload's CloudWatch Logs groups the one way this
// app allows: encrypted with a customer-managed KMS key that CloudWatch Logs
// may use only for the named groups, kept for a set number of days, and
// retained when the stack is deleted.
//
// It is the building block behind TRAIL-3, NET-4 and DB-5 (their log groups),
// KMS-1 (the keys rotate) and RET-1 (keys and groups are retained).
package logs
