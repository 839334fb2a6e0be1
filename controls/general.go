package controls

import (
	"fmt"
	"strings"
)

// statefulTypes are the resource types whose loss would lose data or the
// ability to read it. Each must survive `cdk destroy` and a replacement.
// The database is stateful too; DB-3 requires it to leave a snapshot instead.
var statefulTypes = []string{"AWS::S3::Bucket", "AWS::KMS::Key", "AWS::Logs::LogGroup", "AWS::SecretsManager::Secret"}

func generalControls() []Control {
	return []Control{
		{
			ID: "KMS-1", Title: "Every customer-managed KMS key rotates its key material automatically",
			Seed: SeedData, Responsibility: Customer, Construct: "constructs/*", Role: RoleAny,
			Frameworks: []string{"FSBP KMS.4", "CIS 3.6"},
			Check: func(t *Template, f StackFacts) []Failure {
				var fails []Failure
				for _, k := range t.Resources("AWS::KMS::Key") {
					if !k.Bool("EnableKeyRotation") {
						fails = append(fails, Failure{k.Path(), "EnableKeyRotation is not true"})
					}
				}
				return fails
			},
		},
		{
			ID: "KMS-2", Title: "Every customer-managed KMS key's policy denies kms:CreateGrant unless the grant is for an AWS resource or the caller is an AWS service",
			Seed: SeedData, Responsibility: Customer, Construct: "constructs/keys", Role: RoleAny,
			Frameworks: []string{"CT.KMS.PR.3"},
			Check: func(t *Template, f StackFacts) []Failure {
				var fails []Failure
				for _, k := range t.Resources("AWS::KMS::Key") {
					ok := false
					for _, s := range Statements(k.Properties()["KeyPolicy"]) {
						if s.Effect == "Deny" && s.AnyPrincipal() && s.GrantsAction("kms:CreateGrant") &&
							s.ConditionEquals("BoolIfExists", "kms:GrantIsForAWSResource", "false") &&
							s.ConditionEquals("BoolIfExists", "aws:PrincipalIsAWSService", "false") {
							ok = true
						}
					}
					if !ok {
						fails = append(fails, Failure{k.Path(), "its policy does not deny kms:CreateGrant for grants that are not for AWS resources"})
					}
				}
				return fails
			},
		},
		{
			ID: "KMS-3", Title: "Every customer-managed key's policy names what it allows: no kms:*; the account administers the key with named actions, kms:PutKeyPolicy among them, so that no key is unmanageable; the account's principals use it only through the services that use it (kms:ViaService) or for its own encryption context",
			Seed: SeedData, Responsibility: Customer, Construct: "constructs/keys", Role: RoleAny,
			Check: func(t *Template, f StackFacts) []Failure {
				var fails []Failure
				for _, k := range t.Resources("AWS::KMS::Key") {
					administered := map[string]bool{}
					for _, s := range Statements(k.Properties()["KeyPolicy"]) {
						if !s.Allows() {
							continue
						}
						for _, a := range s.Actions {
							if a == "*" || a == "kms:*" {
								fails = append(fails, Failure{k.Path(), fmt.Sprintf("its policy allows %s to %v", a, s.Principals)})
							}
						}
						if len(s.Principals["AWS"]) == 0 {
							continue // a service principal's statement: LOG-6, LIFE-4 and the constructs' own controls
						}
						if len(s.Conditions) == 0 {
							for _, a := range s.Actions {
								administered[a] = true
							}
							for _, a := range s.Actions {
								if !isAdminAction(a) {
									fails = append(fails, Failure{k.Path(), fmt.Sprintf("its policy lets %v use the key (%s) with no condition; use goes through a service (kms:ViaService) or an encryption context", s.Principals["AWS"], a)})
									break
								}
							}
							continue
						}
						if s.Condition("StringEquals", "kms:ViaService") == nil && !hasEncryptionContext(s) {
							fails = append(fails, Failure{k.Path(), fmt.Sprintf("its policy lets %v use the key under conditions %v, without kms:ViaService or an encryption context", s.Principals["AWS"], s.Conditions)})
						}
					}
					for _, a := range KeyAdminActions {
						if !administered[a] {
							fails = append(fails, Failure{k.Path(), "the account may not " + a + " (key administration)"})
						}
					}
				}
				return fails
			},
		},
		{
			ID: "RET-1", Title: "Buckets, keys, log groups and secrets are retained when their stack is deleted or they are replaced (the database leaves a snapshot: DB-3)",
			Seed: SeedData, Responsibility: Customer, Construct: "constructs/*", Role: RoleAny,
			Check: func(t *Template, f StackFacts) []Failure {
				var fails []Failure
				for _, typ := range statefulTypes {
					for _, r := range t.Resources(typ) {
						if p := r.Attribute("DeletionPolicy"); p != "Retain" && p != "RetainExceptOnCreate" {
							fails = append(fails, Failure{r.Path(), "DeletionPolicy is " + orNone(p).(string) + ", not RetainExceptOnCreate (or Retain)"})
						}
						if p := r.Attribute("UpdateReplacePolicy"); p != "Retain" {
							fails = append(fails, Failure{r.Path(), "UpdateReplacePolicy is " + orNone(p).(string) + ", not Retain"})
						}
					}
				}
				return fails
			},
		},
	}
}

// KeyAdminActions are what the account may do to administer a key: every
// administrative action by name, kms:PutKeyPolicy among them (without it a
// key would be unmanageable), and no use of the key.
var KeyAdminActions = []string{
	"kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias",
	"kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:ListKeyPolicies",
	"kms:GetKeyRotationStatus", "kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:RotateKeyOnDemand", "kms:ListKeyRotations",
	"kms:EnableKey", "kms:DisableKey", "kms:UpdateKeyDescription",
	"kms:TagResource", "kms:UntagResource", "kms:ListResourceTags",
	"kms:ListGrants", "kms:RevokeGrant",
	"kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
}

// KeyUseActions are what the account's principals may do with a key
// through the services that use it (the actions of AWS managed keys'
// policies).
var KeyUseActions = []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:ListGrants", "kms:DescribeKey"}

func isAdminAction(a string) bool {
	for _, x := range KeyAdminActions {
		if x == a {
			return true
		}
	}
	return false
}

func hasEncryptionContext(s Statement) bool {
	for _, kv := range s.Conditions {
		for k := range kv {
			if strings.HasPrefix(k, "kms:EncryptionContext:") {
				return true
			}
		}
	}
	return false
}
