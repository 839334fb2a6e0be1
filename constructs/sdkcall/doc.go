// Package sdkcall makes AWS SDK calls at deployment through CDK's
// AwsCustomResource, the one way this app allows.
//
// CDK runs every AwsCustomResource of a stack on one function, made once per
// stack with the role and the log group of whichever call comes first: a
// second call with a role of its own would run under the first one's role
// and fail. So each stack here has one caller (a construct named SdkCalls at
// the stack's root): one role, whose one managed policy holds the statements
// of every call and nothing else, and one log group, encrypted with a
// customer-managed key and kept for the configured retention (LAMBDA-1).
// Each call is made on create and on update, after the policy exists.
//
// The account baseline (constructs/baseline) makes its account-level calls
// through it; ClaimLogGroup uses it to create, encrypt and retain a log group that a
// service would otherwise create for itself (DB-7).
package sdkcall
