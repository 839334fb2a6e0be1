// Package trail builds the workload account's CloudTrail trail and points it
// at the log archive in the logging account.
//
// The trail is multi-region, includes global service events, validates its
// log files (digest files), records management events (read and write), and
// encrypts every log file with the log archive's KMS key, which it names by
// alias ARN. A copy of the events goes to a CloudWatch Logs group, encrypted
// with a key of the workload account, for alarms and queries.
//
// With data event buckets given, it also records their object reads and
// writes (S3 data events).
//
// Controls implemented here (see docs/CONTROLS.md): TRAIL-1, TRAIL-2, TRAIL-3,
// TRAIL-4, and, for its key and log group, KMS-1 and RET-1. The detection
// layer on top of it (CIS metric filters and alarms, GuardDuty, Config,
// Security Hub) is package detection.
package trail
