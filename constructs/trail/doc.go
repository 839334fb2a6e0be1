// Package trail builds the workload account's CloudTrail trail and points it
// at the log archive in the logging account.
//
// The trail is multi-region, includes global service events, validates its
// log files (digest files), records management events (read and write), and
// encrypts every log file with the log archive's KMS key, which it names by
// alias ARN. A copy of the events goes to a CloudWatch Logs group, encrypted
// with a key of the workload account, for alarms and queries.
//
// Controls implemented here (see docs/CONTROLS.md): TRAIL-1, TRAIL-2, TRAIL-3,
// and, for its key and log group, KMS-1 and RET-1.
// The detection layer (CIS metric filters and alarms, GuardDuty, Security Hub,
// Config) is built on top of this trail by later work.
package trail
