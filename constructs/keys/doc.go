// Package keys makes the app's customer-managed KMS keys, all one way:
// automatic rotation of the key material, a 30-day deletion window, retained
// when the stack is deleted, and a key policy statement that denies
// kms:CreateGrant to every principal unless the grant is for an AWS resource
// or the caller is an AWS service (Control Tower's CT.KMS.PR.3), so that no
// one can hand the key to a principal the key policy does not name.
//
// Controls implemented here (see docs/CONTROLS.md): KMS-1, KMS-2 and, for the
// keys, RET-1.
package keys
