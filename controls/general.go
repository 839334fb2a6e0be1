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
			Layer: LayerData, Responsibility: Customer, Construct: "constructs/*", Role: RoleAny,
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
			Layer: LayerData, Responsibility: Customer, Construct: "constructs/keys", Role: RoleAny,
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
			Layer: LayerData, Responsibility: Customer, Construct: "constructs/keys", Role: RoleAny,
			Check: func(t *Template, f StackFacts) []Failure {
				var fails []Failure
				own := f.WorkloadAccount
				if f.Role == RoleLogArchive {
					own = f.LoggingAccount
				}
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
							for _, a := range s.PrincipalAccounts() {
								if a != own {
									fails = append(fails, Failure{k.Path(), fmt.Sprintf("its policy gives account %s actions on the key with no condition; only this account (%s) administers it", a, own)})
								}
							}
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
			ID: "DEPUTY-1", Title: "Every statement of a bucket, topic or key policy that admits an AWS service principal scopes it to this account's resources (aws:SourceAccount, aws:SourceArn, or the encryption context the service sets), and so do the trust policies of the roles a service assumes for this account's resources (flow logs); the exceptions are services that set no such key on their calls, each with its reason (DeputyExceptions)",
			Layer: LayerData, Responsibility: Customer, Construct: "constructs/*", Role: RoleAny,
			Check: func(t *Template, f StackFacts) []Failure {
				var fails []Failure
				accounts := []string{f.WorkloadAccount, f.LoggingAccount}
				check := func(r Resource, doc any, where string) {
					for _, s := range Statements(doc) {
						if !s.Allows() || len(s.Principals["Service"]) == 0 || scopedToSource(s, accounts) {
							continue
						}
						for _, p := range s.Principals["Service"] {
							svc := flatten(p)
							if _, ok := DeputyExceptions[where+" "+svc]; ok {
								continue
							}
							fails = append(fails, Failure{r.Path(), fmt.Sprintf("its %s admits %s with no aws:SourceAccount, aws:SourceArn or encryption context condition", where, svc)})
						}
					}
				}
				for _, k := range t.Resources("AWS::KMS::Key") {
					check(k, k.Properties()["KeyPolicy"], "key policy")
				}
				for _, b := range t.Resources("AWS::S3::BucketPolicy") {
					check(b, b.Properties()["PolicyDocument"], "bucket policy")
				}
				for _, p := range t.Resources("AWS::SNS::TopicPolicy") {
					check(p, p.Properties()["PolicyDocument"], "topic policy")
				}
				for _, r := range t.Resources("AWS::IAM::Role") {
					for _, s := range Statements(r.Properties()["AssumeRolePolicyDocument"]) {
						for _, p := range s.Principals["Service"] {
							if svc := flatten(p); deputyTrusts[svc] && !scopedToSource(s, accounts) {
								fails = append(fails, Failure{r.Path(), "its trust policy lets " + svc + " assume it for any account's resources (no aws:SourceAccount or aws:SourceArn)"})
							}
						}
					}
				}
				return fails
			},
		},
		{
			ID: "LAMBDA-1", Title: "Every Lambda function of every account and region (CDK's custom-resource functions) logs to a log group of its stack, encrypted with a customer-managed key and kept for the configured retention, instead of one that Lambda would create unencrypted and keep forever",
			Layer: LayerAudit, Responsibility: Customer, Construct: "constructs/*", Role: RoleRegion,
			Check: func(t *Template, f StackFacts) []Failure {
				var fails []Failure
				for _, fn := range t.Resources("AWS::Lambda::Function") {
					g, found := t.Resource(RefTargetOr(mapOf(fn.Properties()["LoggingConfig"])["LogGroup"]))
					if !found || g.Type != "AWS::Logs::LogGroup" {
						fails = append(fails, Failure{fn.Path(), "logs to no log group of its stack (LoggingConfig.LogGroup), so Lambda creates /aws/lambda/<name> unencrypted and kept forever"})
						continue
					}
					fails = append(fails, encryptedLogGroup(t, g, f.LogRetentionDays)...)
				}
				return fails
			},
		},
		{
			ID: "RET-1", Title: "Buckets, keys, log groups and secrets are retained when their stack is deleted or they are replaced (the database leaves a snapshot: DB-3)",
			Layer: LayerData, Responsibility: Customer, Construct: "constructs/*", Role: RoleAny,
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

// DeputyExceptions are the service principals, by where they are admitted,
// that a policy statement cannot scope to a source: the service sets no
// source key on the calls it makes.
var DeputyExceptions = map[string]string{
	"key policy cloudwatch.amazonaws.com":                          "SNS asks KMS for the data key of an alarm's message on the alarm's behalf; AWS documents no aws:SourceArn or aws:SourceAccount on that call, and a condition it does not meet would silently drop every alarm. The topic policy admits only this account's alarms (aws:SourceArn), and the key is this topic's alone",
	"key policy events.amazonaws.com":                              "likewise for EventBridge rules: the topic policy admits only this account's rules (aws:SourceAccount, aws:SourceArn)",
	"bucket policy logdelivery.elasticloadbalancing.amazonaws.com": "in the regions without an Elastic Load Balancing account, load balancers deliver access logs as this service, whose documented bucket policy has no source condition; the statement admits writes under this account's AWSLogs prefix only",
}

// deputyTrusts are the service principals whose role trust policies must
// name their source: they assume the role for a resource of the account.
var deputyTrusts = map[string]bool{"vpc-flow-logs.amazonaws.com": true}

// scopedToSource reports whether a statement requires the source account
// or resource of the service's call to be one of accounts (or the stack's
// own, AWS::AccountId), or requires the encryption context the service
// sets. A Null test, which only asks whether a key is there, scopes
// nothing.
func scopedToSource(s Statement, accounts []string) bool {
	ours := func(v any) bool {
		a := flatten(v)
		if strings.HasPrefix(a, "arn:") {
			a = accountOf(a)
		}
		if a == "{AWS::AccountId}" || strings.Contains(flatten(v), "{AWS::AccountId}") {
			return true
		}
		for _, x := range accounts {
			if a == x {
				return true
			}
		}
		return false
	}
	for op, kv := range s.Conditions {
		if strings.EqualFold(op, "Null") {
			continue
		}
		for k, v := range kv {
			switch key := strings.ToLower(k); {
			case key == "aws:sourceaccount" || key == "aws:sourcearn":
				all := len(list(v)) > 0
				for _, x := range list(v) {
					all = all && ours(x)
				}
				if all {
					return true
				}
			case strings.HasPrefix(key, "kms:encryptioncontext:"):
				return true
			}
		}
	}
	return false
}
