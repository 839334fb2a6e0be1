package controls

import (
	"fmt"
	"slices"
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
			Check:      each("AWS::KMS::Key", "", keyRotates),
		},
		{
			ID: "KMS-2", Title: "Every customer-managed KMS key's policy denies kms:CreateGrant unless the grant is for an AWS resource or the caller is an AWS service",
			Layer: LayerData, Responsibility: Customer, Construct: "constructs/keys", Role: RoleAny,
			Frameworks: []string{"CT.KMS.PR.3"},
			Check:      each("AWS::KMS::Key", "", keyDeniesGrants),
		},
		{
			ID: "KMS-3", Title: "Every customer-managed key's policy names what it allows: no kms:*; the account administers the key with named actions, kms:PutKeyPolicy among them, so that no key is unmanageable; the account's principals use it only through the services that use it (kms:ViaService) or for its own encryption context",
			Layer: LayerData, Responsibility: Customer, Construct: "constructs/keys", Role: RoleAny,
			Check: each("AWS::KMS::Key", "", keyPolicyNamed),
		},
		{
			ID: "DEPUTY-1", Title: "Every statement of a bucket, topic or key policy that admits an AWS service principal scopes it to this account's resources (aws:SourceAccount, aws:SourceArn, or the encryption context the service sets), and so do the trust policies of the roles a service assumes for this account's resources (all but the roles that run code: functions and instances); the exceptions are services that set no such key on their calls, each with its reason (DeputyExceptions)",
			Layer: LayerData, Responsibility: Customer, Construct: "constructs/*", Role: RoleAny,
			Check: servicePrincipalsScoped,
		},
		{
			ID: "LAMBDA-1", Title: "Every Lambda function of every account and region (CDK's custom-resource functions) logs to a log group of its stack, encrypted with a customer-managed key and kept for the configured retention, instead of one that Lambda would create unencrypted and keep forever",
			Layer: LayerAudit, Responsibility: Customer, Construct: "constructs/*", Role: RoleRegion,
			Check: each("AWS::Lambda::Function", "", functionLogsEncrypted),
		},
		{
			ID: "CWL-1", Title: "Every CloudWatch Logs group of every stack is encrypted with a customer-managed key of its stack and kept for the configured retention",
			Layer: LayerAudit, Responsibility: Customer, Construct: "constructs/logs", Role: RoleAny,
			Frameworks: []string{"CIS 3.4", "FSBP CloudWatch.16"},
			Check:      each("AWS::Logs::LogGroup", "", logGroupEncrypted),
		},
		{
			ID: "RET-1", Title: "Buckets, keys, log groups and secrets are retained when their stack is deleted or they are replaced (the database leaves a snapshot: DB-3)",
			Layer: LayerData, Responsibility: Customer, Construct: "constructs/*", Role: RoleAny,
			Check: statefulRetained,
		},
	}
}

// keyRotates checks that a customer-managed key rotates.
func keyRotates(t *Template, f StackFacts, k Resource) []Failure {
	if !k.Bool("EnableKeyRotation") {
		return []Failure{{k.Path(), "EnableKeyRotation is not true"}}
	}
	return nil
}

// keyDeniesGrants checks that a key's policy denies kms:CreateGrant except for AWS resources.
func keyDeniesGrants(t *Template, f StackFacts, k Resource) []Failure {
	for _, s := range Statements(k.Properties()["KeyPolicy"]) {
		if s.Effect == "Deny" && s.AnyPrincipal() && s.GrantsAction("kms:CreateGrant") &&
			s.ConditionEquals("BoolIfExists", "kms:GrantIsForAWSResource", "false") &&
			s.ConditionEquals("BoolIfExists", "aws:PrincipalIsAWSService", "false") {
			return nil
		}
	}
	return []Failure{{k.Path(), "its policy does not deny kms:CreateGrant for grants that are not for AWS resources"}}
}

// keyPolicyNamed checks that a key's policy names what it allows, and lets the account administer the key.
func keyPolicyNamed(t *Template, f StackFacts, k Resource) []Failure {
	var fails []Failure
	administered := map[string]bool{}
	for _, s := range Statements(k.Properties()["KeyPolicy"]) {
		if s.Allows() {
			fails = append(fails, keyStatementFailures(f, k, s, administered)...)
		}
	}
	for _, a := range KeyAdminActions {
		if !administered[a] {
			fails = append(fails, Failure{k.Path(), "the account may not " + a + " (key administration)"})
		}
	}
	return fails
}

// keyStatementFailures checks one allowing statement of a key's policy: no
// wildcard action, only the own account, and use only through a service or
// an encryption context; it records in administered what the account may
// do without condition.
func keyStatementFailures(f StackFacts, k Resource, s Statement, administered map[string]bool) []Failure {
	var fails []Failure
	own := f.WorkloadAccount
	if f.Role == RoleLogArchive {
		own = f.LoggingAccount
	}
	for _, a := range s.Actions {
		if a == "*" || a == "kms:*" {
			fails = append(fails, Failure{k.Path(), fmt.Sprintf("its policy allows %s to %v", a, s.Principals)})
		}
	}
	if len(s.Principals["AWS"]) == 0 {
		return fails // a service principal's statement: LOG-6, LIFE-4 and the constructs' own controls
	}
	for _, a := range s.PrincipalAccounts() {
		if a != own {
			fails = append(fails, Failure{k.Path(), fmt.Sprintf("its policy gives %s actions on the key, whatever its conditions; only this account (%s) may administer or use it", orAnyone(a), own)})
		}
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
		return fails
	}
	if s.Condition("StringEquals", "kms:ViaService") == nil && !encryptionContextOf(s, f.WorkloadAccount, f.LoggingAccount) {
		fails = append(fails, Failure{k.Path(), fmt.Sprintf("its policy lets %v use the key under conditions %v, without kms:ViaService or an encryption context that names this app's accounts", s.Principals["AWS"], s.Conditions)})
	}
	return fails
}

// servicePrincipalsScoped checks that every service principal of a resource policy is scoped to this account.
func servicePrincipalsScoped(t *Template, f StackFacts) []Failure {
	var fails []Failure
	accounts := []string{f.WorkloadAccount, f.LoggingAccount}
	for _, k := range t.Resources("AWS::KMS::Key") {
		fails = append(fails, policyServicesScoped(k, k.Properties()["KeyPolicy"], "key policy", accounts)...)
	}
	for _, b := range t.Resources("AWS::S3::BucketPolicy") {
		fails = append(fails, policyServicesScoped(b, b.Properties()["PolicyDocument"], "bucket policy", accounts)...)
	}
	for _, p := range t.Resources("AWS::SNS::TopicPolicy") {
		fails = append(fails, policyServicesScoped(p, p.Properties()["PolicyDocument"], "topic policy", accounts)...)
	}
	for _, r := range t.Resources("AWS::IAM::Role") {
		fails = append(fails, trustServicesScoped(r, accounts)...)
	}
	return fails
}

// policyServicesScoped checks that every service principal that the policy
// doc (the where of r) admits is scoped to the accounts, or excepted.
func policyServicesScoped(r Resource, doc any, where string, accounts []string) []Failure {
	var fails []Failure
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
	return fails
}

// trustServicesScoped checks that every service the role trusts, but the
// compute services and the exceptions, is scoped to the accounts.
func trustServicesScoped(r Resource, accounts []string) []Failure {
	var fails []Failure
	for _, s := range Statements(r.Properties()["AssumeRolePolicyDocument"]) {
		for _, p := range s.Principals["Service"] {
			svc := flatten(p)
			if _, ok := DeputyExceptions["trust policy "+svc]; computeTrusts[svc] || ok || scopedToSource(s, accounts) {
				continue
			}
			fails = append(fails, Failure{r.Path(), "its trust policy lets " + svc + " assume it for any account's resources (no aws:SourceAccount or aws:SourceArn)"})
		}
	}
	return fails
}

// functionLogsEncrypted checks that a Lambda function logs to an encrypted, retained group of its stack.
func functionLogsEncrypted(t *Template, f StackFacts, fn Resource) []Failure {
	g, found := t.Resource(RefTargetOr(mapOf(fn.Properties()["LoggingConfig"])["LogGroup"]))
	if !found || g.Type != "AWS::Logs::LogGroup" {
		return []Failure{{fn.Path(), "logs to no log group of its stack (LoggingConfig.LogGroup), so Lambda creates /aws/lambda/<name> unencrypted and kept forever"}}
	}
	return encryptedLogGroup(t, g, f.LogRetentionDays)
}

// logGroupEncrypted checks that a log group is encrypted with a stack key and kept for the configured retention.
func logGroupEncrypted(t *Template, f StackFacts, g Resource) []Failure {
	return encryptedLogGroup(t, g, f.LogRetentionDays)
}

// statefulRetained checks that stateful resources are retained on deletion and replacement.
func statefulRetained(t *Template, f StackFacts) []Failure {
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

// encryptionContextOf reports whether the statement requires, with a
// positive operator, an encryption context each of whose values names one
// of accounts: a context of "*" scopes nothing.
func encryptionContextOf(s Statement, accounts ...string) bool {
	found := false
	for op, kv := range s.Conditions {
		for k, v := range kv {
			if !strings.HasPrefix(strings.ToLower(k), "kms:encryptioncontext:") {
				continue
			}
			if !positiveOperator(op) {
				return false
			}
			for _, x := range list(v) {
				if !namesAccount(flatten(x), accounts) {
					return false
				}
			}
			found = true
		}
	}
	return found
}

// positiveOperator: a condition operator that requires a value to match
// (not its negation, not ...IfExists, which passes when the key is absent).
func positiveOperator(op string) bool {
	switch op {
	case "StringEquals", "StringLike", "ArnEquals", "ArnLike":
		return true
	}
	return false
}

// namesAccount reports whether an ARN (or ARN pattern) names one of
// accounts in its account field.
func namesAccount(arn string, accounts []string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) >= 5 && slices.Contains(accounts, parts[4])
}

func orAnyone(a string) string {
	if a == "?" || a == "*" {
		return "anyone (" + a + ")"
	}
	return "account " + a
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
	"trust policy cloudtrail.amazonaws.com":                        "CloudTrail assumes the trail's CloudWatch Logs role documenting no aws:SourceArn or aws:SourceAccount on that call (CloudTrail user guide, \"Sending events to CloudWatch Logs\"), and a condition it does not meet would silently stop the trail's log group, which every CIS alarm reads; the role may only write to that one log group",
	"bucket policy logdelivery.elasticloadbalancing.amazonaws.com": "in the regions without an Elastic Load Balancing account, load balancers deliver access logs as this service, whose documented bucket policy has no source condition; the statement admits writes under this account's AWSLogs prefix only",
}

// computeTrusts are the service principals that assume a role to run code
// as it (a function, an instance): the role is that resource's own, and no
// other account's resource can make the service assume it. Every other
// service principal assumes a role on behalf of a resource of the account,
// and its trust policy must name that source, or be a DeputyException.
var computeTrusts = map[string]bool{"lambda.amazonaws.com": true, "ec2.amazonaws.com": true}

// scopedToSource reports whether a statement requires the source account
// or resource of the service's call to be one of accounts (or the stack's
// own, AWS::AccountId), or requires the encryption context the service
// sets. A Null test, which only asks whether a key is there, scopes
// nothing.
func scopedToSource(s Statement, accounts []string) bool {
	for op, kv := range s.Conditions {
		if !positiveOperator(op) {
			continue // Null, negations and ...IfExists scope nothing
		}
		for k, v := range kv {
			if sourceKey(k) && ownSources(list(v), accounts) {
				return true
			}
		}
	}
	return false
}

// sourceKey reports whether a condition key names the source of a service's call (aws:SourceAccount, aws:SourceArn) or the encryption context it sets.
func sourceKey(k string) bool {
	key := strings.ToLower(k)
	return key == "aws:sourceaccount" || key == "aws:sourcearn" || strings.HasPrefix(key, "kms:encryptioncontext:")
}

// ownSources reports whether there are values, and each names the stack's own account or one of accounts.
func ownSources(vs []any, accounts []string) bool {
	for _, v := range vs {
		if !ownSource(v, accounts) {
			return false
		}
	}
	return len(vs) > 0
}

// ownSource reports whether a value (an account ID, or an ARN whose account
// field is one) names the stack's own account (AWS::AccountId) or one of
// accounts. An ARN without an account, such as an S3 bucket's, names none,
// whatever its resource name says: bucket names are global.
func ownSource(v any, accounts []string) bool {
	a := flatten(v)
	if strings.HasPrefix(a, "arn:") {
		parts := strings.SplitN(a, ":", 6)
		if len(parts) < 6 {
			return false
		}
		a = parts[4]
	}
	return a == "{AWS::AccountId}" || slices.Contains(accounts, a)
}
