// Package baseline sets the account-wide defaults of the seed's "order" for
// starting from zero that no CloudFormation resource type covers: the IAM
// password policy (14 characters or more, every character class, the last 24
// passwords not reused), S3 Block Public Access for the whole account, and
// EBS encryption by default (a setting of each region: the baselines of the
// other governed regions set only this one). It also makes sure AWS
// Config's service-linked role exists, which the recorder runs as.
//
// Each is one AWS SDK call through the stack's one SDK-call function
// (constructs/sdkcall), whose policy allows exactly those calls. Deleting the stack leaves the settings in place: they
// protect the account, not the stack.
//
// MFA on the root user has no API at all: see the Config rule
// ROOT_ACCOUNT_MFA_ENABLED and the root-use alarm (package detection), and
// README.md for the manual step.
//
// Controls implemented here (see docs/CONTROLS.md): BASE-1 and BASE-2.
package baseline
