package controls

import (
	"fmt"
	"regexp"
	"strings"
)

const logArchivePkg = "constructs/logarchive"

var reAccountID = regexp.MustCompile(`^[0-9]{12}$`)

// GuardedKeyActions are the key operations that would make every archived
// log unreadable (or let someone make it so): denied to all but the
// guardians.
var GuardedKeyActions = []string{"kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:DisableKeyRotation"}

// GuardedBucketActions are the bucket operations that would let someone
// delete logs early or stop the protections: denied to all but the
// guardians. (DeleteBucketLifecycle is authorized as
// s3:PutLifecycleConfiguration.)
var GuardedBucketActions = []string{"s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutLifecycleConfiguration", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration"}

// GuardedObjectActions are what would shorten or lift the Object Lock of
// the archived logs themselves: in GOVERNANCE mode (the sandbox) a
// principal of the logging account with s3:BypassGovernanceRetention could
// otherwise delete them before their retention ends.
var GuardedObjectActions = []string{"s3:BypassGovernanceRetention", "s3:PutObjectRetention", "s3:PutObjectLegalHold"}

func logArchiveControls() []Control {
	return inSection(LayerAudit, logArchivePkg, RoleLogArchive, []Control{
		{
			ID: "LOG-10", Title: "The logging account watches its own administrators: its trail's log group alarms, to its own encrypted alerts topic, on changes to any key's policy, rotation or grants and to any bucket's Object Lock, versioning, encryption, ownership or public access block, besides the CIS alarms (root use, key disabling or deletion, bucket policy and lifecycle changes: DET-1)",
			Construct: "constructs/detection",
			Check:     loggingAdminsWatched,
		},
		{
			ID: "LOG-1", Title: "The CloudTrail bucket is encrypted with SSE-KMS under a customer-managed key of the log archive",
			Frameworks: []string{"FSBP S3.17", "FSBP CloudTrail.2", "CIS 3.5"},
			Check:      trailBucketEncrypted,
		},
		{
			ID: "LOG-2", Title: "Both log-archive buckets block all public access (all four settings)",
			Frameworks: []string{"FSBP S3.8", "FSBP CloudTrail.6", "CIS 2.1.4"},
			Check:      archiveBucketsPrivate,
		},
		{
			ID: "LOG-3", Title: "The CloudTrail bucket is versioned and has Object Lock with the configured default retention",
			Frameworks: []string{"FSBP S3.14", "FSBP S3.15"},
			Check:      trailBucketLocked,
		},
		{
			ID: "LOG-4", Title: "Both log-archive buckets deny every request that does not use TLS",
			Frameworks: []string{"FSBP S3.5", "CIS 2.1.1"},
			Check:      archiveBucketsTLSOnly,
		},
		{
			ID: "LOG-5", Title: "Only the two trails (the workload account's and the logging account's own) may write to the CloudTrail bucket (GetBucketAcl, PutObject, scoped by aws:SourceArn), each under its own account's prefix; no one is granted delete, and deletes from outside the logging account are denied",
			Check: trailBucketWriters,
		},
		{
			ID: "LOG-6", Title: "The log key admits CloudTrail only for the two trails (aws:SourceArn, and the encryption context of the trail's account) and lets only the logging account decrypt",
			Frameworks: []string{"FSBP CloudTrail.2", "CIS 3.5"},
			Check:      logKeyTrailsOnly,
		},
		{
			ID: "LOG-7", Title: "The CloudTrail bucket's server access logs go to a second bucket, which has no Object Lock",
			Frameworks: []string{"FSBP S3.9", "FSBP CloudTrail.7", "CIS 3.4"},
			Check:      trailBucketAccessLogged,
		},
		{
			ID: "LOG-8", Title: "CloudTrail logs move to colder storage and never expire before their lock ends",
			Frameworks: []string{"FSBP S3.13"},
			Check:      trailLogsTiered,
		},
		{
			ID: "LOG-9", Title: "The log archive resists its own account: its key's policy denies scheduling deletion, disabling the key or its rotation and changing its policy, and its bucket's policy denies changing the policy, lifecycle, Object Lock, versioning or encryption, and bypassing or changing the logs' retention, to every principal but the break-glass role and the CloudFormation execution role",
			Frameworks: []string{"CIS 3.6"},
			Check:      archiveResistsAccount,
		},
	})
}

// loggingAdminsWatched checks that the logging account alarms on changes by its own administrators.
func loggingAdminsWatched(t *Template, f StackFacts) []Failure {
	return trailFiltersAlarmed(t, f, ArchiveFilters(), "LOG-10's")
}

// trailBucketEncrypted checks that the CloudTrail bucket is encrypted with a key of the log archive.
func trailBucketEncrypted(t *Template, f StackFacts) []Failure {
	b, fails := trailBucket(t, f)
	if b == nil {
		return fails
	}
	rules, _ := b.Get("BucketEncryption", "ServerSideEncryptionConfiguration")
	for _, r := range list(rules) {
		alg, _ := dig(r, "ServerSideEncryptionByDefault", "SSEAlgorithm")
		keyRef, _ := dig(r, "ServerSideEncryptionByDefault", "KMSMasterKeyID")
		if alg != "aws:kms" {
			continue
		}
		id, ok := RefTarget(keyRef)
		if k, found := t.Resource(id); ok && found && k.Type == "AWS::KMS::Key" {
			return nil
		}
		return []Failure{{b.Path(), "SSE-KMS does not use a KMS key defined in the log archive"}}
	}
	return []Failure{{b.Path(), "default encryption is not SSE-KMS (aws:kms)"}}
}

// archiveBucketsPrivate checks that both log-archive buckets block all public access.
func archiveBucketsPrivate(t *Template, f StackFacts) []Failure {
	return append(each("AWS::S3::Bucket", "", bucketPrivate)(t, f), expectBuckets(t, 2)...)
}

// bucketPrivate checks that a bucket blocks all public access.
func bucketPrivate(t *Template, f StackFacts, b Resource) []Failure {
	return publicAccessBlocked(b)
}

// trailBucketLocked checks that the CloudTrail bucket is versioned and locked for the configured retention.
func trailBucketLocked(t *Template, f StackFacts) []Failure {
	b, fails := trailBucket(t, f)
	if b == nil {
		return fails
	}
	if b.String("VersioningConfiguration", "Status") != "Enabled" {
		fails = append(fails, Failure{b.Path(), "versioning is not enabled"})
	}
	if !b.Bool("ObjectLockEnabled") || b.String("ObjectLockConfiguration", "ObjectLockEnabled") != "Enabled" {
		fails = append(fails, Failure{b.Path(), "Object Lock is not enabled"})
	}
	mode := b.String("ObjectLockConfiguration", "Rule", "DefaultRetention", "Mode")
	days, _ := b.Get("ObjectLockConfiguration", "Rule", "DefaultRetention", "Days")
	if mode != f.LockMode || !numberIs(days, f.LockDays) || f.LockDays < 1 {
		fails = append(fails, Failure{b.Path(), fmt.Sprintf("default retention is %s for %v days; configured: %s for %d days", orNone(mode), orNone(days), f.LockMode, f.LockDays)})
	}
	return fails
}

// archiveBucketsTLSOnly checks that both log-archive buckets deny requests without TLS.
func archiveBucketsTLSOnly(t *Template, f StackFacts) []Failure {
	return append(each("AWS::S3::Bucket", "", bucketTLSOnly)(t, f), expectBuckets(t, 2)...)
}

// bucketTLSOnly checks that a bucket's policy denies object reads and writes without TLS to everyone.
func bucketTLSOnly(t *Template, f StackFacts, b Resource) []Failure {
	for _, s := range bucketPolicy(t, b.LogicalID) {
		if s.Effect == "Deny" && s.AnyPrincipal() && s.GrantsAction("s3:GetObject") && s.GrantsAction("s3:PutObject") &&
			isFalse(s.Condition("Bool", "aws:SecureTransport")) && len(s.Resources) >= 2 {
			return nil
		}
	}
	return []Failure{{b.Path(), "no bucket-policy statement denies s3:* to everyone when aws:SecureTransport is false"}}
}

// trailBucketWriters checks that only the two trails may write to the CloudTrail bucket.
func trailBucketWriters(t *Template, f StackFacts) []Failure {
	b, fails := trailBucket(t, f)
	if b == nil {
		return fails
	}
	var put, acl, denyDelete bool
	for _, s := range bucketPolicy(t, b.LogicalID) {
		if !s.Allows() {
			if s.AnyPrincipal() && s.GrantsAction("s3:DeleteObject") && s.GrantsAction("s3:DeleteObjectVersion") &&
				s.ConditionEquals("StringNotEquals", "aws:PrincipalAccount", f.LoggingAccount) {
				denyDelete = true
			}
			continue
		}
		fails = append(fails, trailWriteStatement(f, *b, s)...)
		put = put || s.GrantsAction("s3:PutObject")
		acl = acl || s.GrantsAction("s3:GetBucketAcl")
	}
	if !put || !acl {
		fails = append(fails, Failure{b.Path(), "the bucket policy does not let the trail call both s3:GetBucketAcl and s3:PutObject"})
	}
	if !denyDelete {
		fails = append(fails, Failure{b.Path(), "no statement denies s3:DeleteObject and s3:DeleteObjectVersion to principals outside the logging account"})
	}
	return fails
}

// trailWriteStatement checks that an allowing statement of the CloudTrail
// bucket's policy admits only CloudTrail, for the two trails, to read the
// ACL and write under AWSLogs/<the trail's account>/.
func trailWriteStatement(f StackFacts, b Resource, s Statement) []Failure {
	var fails []Failure
	where := fmt.Sprintf("bucket policy statement %q", s.Sid)
	if len(s.Principals) != 1 || len(s.Principals["Service"]) != 1 || !s.HasPrincipal("Service", "cloudtrail.amazonaws.com") {
		fails = append(fails, Failure{b.Path(), where + " allows a principal other than cloudtrail.amazonaws.com"})
	}
	for _, a := range s.Actions {
		if a != "s3:GetBucketAcl" && a != "s3:PutObject" {
			fails = append(fails, Failure{b.Path(), where + " allows " + a + "; only s3:GetBucketAcl and s3:PutObject are allowed"})
		}
	}
	if !s.ConditionWithin("StringEquals", "aws:SourceArn", f.TrailARN, f.LoggingTrailARN) {
		fails = append(fails, Failure{b.Path(), where + " is not scoped to the two trails by aws:SourceArn (" + f.TrailARN + ", " + f.LoggingTrailARN + ")"})
	}
	if !s.GrantsAction("s3:PutObject") {
		return fails
	}
	trails := list(s.Condition("StringEquals", "aws:SourceArn"))
	account := ""
	if len(trails) == 1 {
		account = accountOf(fmt.Sprint(trails[0]))
	}
	for _, r := range s.Resources {
		if account == "" || !strings.Contains(flatten(r), "/AWSLogs/"+account+"/") {
			fails = append(fails, Failure{b.Path(), where + " lets a trail write outside AWSLogs/<its account>/: " + flatten(r)})
		}
	}
	return fails
}

// logKeyTrailsOnly checks that the log key admits CloudTrail only for the two trails.
func logKeyTrailsOnly(t *Template, f StackFacts) []Failure {
	k, fails := trailKey(t, f)
	if k == nil {
		return fails
	}
	var generate bool
	for _, s := range Statements(k.Properties()["KeyPolicy"]) {
		if !s.Allows() {
			continue
		}
		where := fmt.Sprintf("key policy statement %q", s.Sid)
		if s.AnyPrincipal() {
			fails = append(fails, Failure{k.Path(), where + " allows every principal"})
		}
		for _, acct := range s.PrincipalAccounts() {
			if acct != f.LoggingAccount {
				fails = append(fails, Failure{k.Path(), fmt.Sprintf("%s allows account %s; only the logging account %s may use the key directly", where, acct, f.LoggingAccount)})
			}
		}
		if _, ok := s.Principals["Service"]; ok {
			fails = append(fails, logKeyServiceStatement(f, *k, s, where)...)
			generate = generate || s.GrantsAction("kms:GenerateDataKey")
		}
	}
	if !generate {
		fails = append(fails, Failure{k.Path(), "CloudTrail is not allowed kms:GenerateDataKey*: the trail could not encrypt"})
	}
	return fails
}

// logKeyServiceStatement checks that an allowing statement of the log key
// for a service admits only CloudTrail, for the two trails, to encrypt in
// its trail's encryption context, and never to decrypt.
func logKeyServiceStatement(f StackFacts, k Resource, s Statement, where string) []Failure {
	var fails []Failure
	if !s.HasPrincipal("Service", "cloudtrail.amazonaws.com") || len(s.Principals["Service"]) != 1 {
		fails = append(fails, Failure{k.Path(), where + " allows a service other than CloudTrail"})
	}
	if !s.ConditionWithin("StringEquals", "aws:SourceArn", f.TrailARN, f.LoggingTrailARN) {
		fails = append(fails, Failure{k.Path(), where + " is not scoped to the two trails by aws:SourceArn"})
	}
	if s.GrantsAction("kms:GenerateDataKey") {
		trails := list(s.Condition("StringEquals", "aws:SourceArn"))
		ctx, _ := s.Condition("StringLike", "kms:EncryptionContext:aws:cloudtrail:arn").(string)
		if len(trails) != 1 || !strings.Contains(ctx, fmt.Sprintf(":%s:trail/", accountOf(fmt.Sprint(trails[0])))) {
			fails = append(fails, Failure{k.Path(), where + " lacks the aws:cloudtrail:arn encryption context of its one trail's account"})
		}
	}
	if s.GrantsAction("kms:Decrypt") {
		fails = append(fails, Failure{k.Path(), where + " lets CloudTrail decrypt"})
	}
	return fails
}

// trailBucketAccessLogged checks that the CloudTrail bucket logs its access to a second bucket without Object Lock.
func trailBucketAccessLogged(t *Template, f StackFacts) []Failure {
	b, fails := trailBucket(t, f)
	if b == nil {
		return fails
	}
	dest, _ := b.Get("LoggingConfiguration", "DestinationBucketName")
	id, ok := RefTarget(dest)
	target, found := t.Resource(id)
	if !ok || !found || target.Type != "AWS::S3::Bucket" || id == b.LogicalID {
		return []Failure{{b.Path(), "server access logging does not target a separate bucket of the log archive"}}
	}
	if target.Bool("ObjectLockEnabled") {
		return []Failure{{target.Path(), "the access-log bucket has Object Lock; S3 log delivery cannot write to it"}}
	}
	return nil
}

// trailLogsTiered checks that CloudTrail logs move to colder storage and never expire before their lock ends.
func trailLogsTiered(t *Template, f StackFacts) []Failure {
	b, fails := trailBucket(t, f)
	if b == nil {
		return fails
	}
	rules, _ := b.Get("LifecycleConfiguration", "Rules")
	for _, r := range list(rules) {
		if s, _ := dig(r, "Status"); s != "Enabled" {
			continue
		}
		trans, _ := dig(r, "Transitions")
		cold := false
		for _, tr := range list(trans) {
			switch sc, _ := dig(tr, "StorageClass"); sc {
			case "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE":
				cold = true
			}
		}
		if !cold {
			continue
		}
		if exp, ok := dig(r, "ExpirationInDays"); ok && !numberAtLeast(exp, f.LockDays) {
			return []Failure{{b.Path(), fmt.Sprintf("logs expire after %v days, before their %d-day lock ends", exp, f.LockDays)}}
		}
		return nil
	}
	return []Failure{{b.Path(), "no enabled lifecycle rule moves logs to a Glacier storage class"}}
}

// archiveResistsAccount checks that the log archive's key and buckets resist their own account.
func archiveResistsAccount(t *Template, f StackFacts) []Failure {
	var fails []Failure
	key, kf := trailKey(t, f)
	bucket, bf := trailBucket(t, f)
	fails = append(append(fails, kf...), bf...)
	if key != nil && !guardedBy(Statements(key.Properties()["KeyPolicy"]), GuardedKeyActions, f.Guardians, "") {
		fails = append(fails, Failure{key.Path(), fmt.Sprintf("its policy does not deny %s to every principal but %s", strings.Join(GuardedKeyActions, ", "), strings.Join(f.Guardians, " and "))})
	}
	if bucket != nil && !guardedBy(bucketPolicy(t, bucket.LogicalID), GuardedBucketActions, f.Guardians, bucket.LogicalID) {
		fails = append(fails, Failure{bucket.Path(), fmt.Sprintf("its policy does not deny %s to every principal but %s", strings.Join(GuardedBucketActions, ", "), strings.Join(f.Guardians, " and "))})
	}
	if bucket != nil && !guardedBy(bucketPolicy(t, bucket.LogicalID), GuardedObjectActions, f.Guardians, bucket.LogicalID) {
		fails = append(fails, Failure{bucket.Path(), fmt.Sprintf("its policy does not deny %s on the archived logs to every principal but %s", strings.Join(GuardedObjectActions, ", "), strings.Join(f.Guardians, " and "))})
	}
	return fails
}

// trailBucket finds the CloudTrail bucket by its deterministic name.
func trailBucket(t *Template, f StackFacts) (*Resource, []Failure) {
	for _, b := range t.Resources("AWS::S3::Bucket") {
		if b.String("BucketName") == f.TrailBucketName {
			return &b, nil
		}
	}
	return nil, []Failure{{"", "no bucket named " + f.TrailBucketName}}
}

// trailKey finds the log archive's key: the one its alias names.
func trailKey(t *Template, f StackFacts) (*Resource, []Failure) {
	alias := f.TrailKeyAlias[strings.Index(f.TrailKeyAlias, ":alias/")+1:]
	for _, a := range t.Resources("AWS::KMS::Alias") {
		if a.String("AliasName") != alias {
			continue
		}
		target, _ := a.Get("TargetKeyId")
		if id, ok := RefTarget(target); ok {
			if k, found := t.Resource(id); found && k.Type == "AWS::KMS::Key" {
				return &k, nil
			}
		}
	}
	return nil, []Failure{{"", "no KMS key carries the alias " + alias}}
}

// bucketPolicy returns the statements of the policy attached to a bucket.
func bucketPolicy(t *Template, bucketID string) []Statement {
	var out []Statement
	for _, p := range t.Resources("AWS::S3::BucketPolicy") {
		if id, ok := RefTarget(p.Properties()["Bucket"]); ok && id == bucketID {
			out = append(out, Statements(p.Properties()["PolicyDocument"])...)
		}
	}
	return out
}

func expectBuckets(t *Template, n int) []Failure {
	if got := len(t.Resources("AWS::S3::Bucket")); got < n {
		return []Failure{{"", fmt.Sprintf("%d bucket(s) in the log archive; expected the CloudTrail bucket and its access-log bucket", got)}}
	}
	return nil
}

func isFalse(v any) bool {
	switch v := v.(type) {
	case bool:
		return !v
	case string:
		return strings.EqualFold(v, "false")
	}
	return false
}

func numberIs(v any, n int) bool {
	f, ok := v.(float64)
	return ok && f == float64(n)
}

func numberAtLeast(v any, n int) bool {
	f, ok := v.(float64)
	return ok && f >= float64(n)
}

func orNone(v any) any {
	if v == nil || v == "" {
		return "none"
	}
	return v
}

// guardedBy reports whether the statements deny every one of actions, on
// the resource (the logical ID of a bucket, or "" for a key policy's "*"),
// to every principal whose ARN is not one of guardians, and to no fewer.
func guardedBy(statements []Statement, actions, guardians []string, resource string) bool {
	if len(guardians) == 0 {
		return false
	}
	denied := map[string]bool{}
	for _, s := range statements {
		if !deniesAllBut(s, guardians) || !appliesTo(s, resource) {
			continue
		}
		for _, a := range actions {
			if s.GrantsAction(a) {
				denied[a] = true
			}
		}
	}
	return len(denied) == len(actions)
}

// deniesAllBut reports whether a statement denies every principal whose ARN is not one of guardians, and excepts no other.
func deniesAllBut(s Statement, guardians []string) bool {
	if s.Effect != "Deny" || !s.AnyPrincipal() || len(s.Conditions) != 1 || len(s.Conditions["ArnNotEquals"]) != 1 {
		return false
	}
	want := map[string]bool{}
	for _, g := range guardians {
		want[g] = true
	}
	got := map[string]bool{}
	for _, e := range list(s.Condition("ArnNotEquals", "aws:PrincipalArn")) {
		got[flatten(e)] = true
	}
	if len(got) != len(want) {
		return false
	}
	for g := range want {
		if !got[g] {
			return false
		}
	}
	return true
}

// appliesTo reports whether a statement's resources include "*", or the bucket resource (its logical ID) or its objects.
func appliesTo(s Statement, resource string) bool {
	for _, r := range s.Resources {
		if r == "*" || (resource != "" && (RefTargetOr(r) == resource || flatten(r) == "{"+resource+".Arn}/*")) {
			return true
		}
	}
	return false
}
