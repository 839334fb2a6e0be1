package controls

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

const detectionPkg = "constructs/detection"

// centrallyRun marks the controls of the services an organization may run
// for the account instead of this stack (detectionServices false).
func centrallyRun(service string) func(f StackFacts) string {
	return func(f StackFacts) string {
		if f.CentralDetection {
			return service + " is run for the account by its organization (detectionServices is false): check it there"
		}
		return ""
	}
}

func detectionControls() []Control {
	return inSection(LayerAudit, detectionPkg, RoleWorkload, []Control{
		{
			ID: "DET-1", Title: "The trail's log group carries the CIS metric filters (root use, unauthorized calls, console sign-in without MFA, IAM policy, CloudTrail, failed console logins, CMK disable/deletion, bucket policy, Config, security group, NACL, gateway, route table, VPC and Organizations changes), each with its exact pattern and an alarm to the alerts topic",
			Role:       RoleAccount,
			Frameworks: []string{"FSBP CloudWatch.1-14", "CIS 4.1-4.15"},
			Check:      cisMetricFilters,
		},
		{
			ID: "DET-2", Title: "GuardDuty is enabled with S3, EBS malware, RDS login, EC2 runtime and Lambda network protection, and publishes findings every 15 minutes",
			Role:          RoleRegion,
			Frameworks:    []string{"FSBP GuardDuty.1"},
			NotApplicable: centrallyRun("GuardDuty"),
			Check:         each("AWS::GuardDuty::Detector", "no GuardDuty detector", guardDutyEnabled),
		},
		{
			ID: "DET-3", Title: "AWS Config records every supported resource type (the global IAM types in the home region, and only there), as its service-linked role, and delivers to an encrypted, non-public, TLS-only bucket",
			Role:          RoleRegion,
			Frameworks:    []string{"FSBP Config.1", "CIS 3.3"},
			NotApplicable: centrallyRun("the AWS Config recorder"),
			Check:         configRecording,
		},
		{
			ID: "DET-4", Title: "AWS Config evaluates the seed's basics with managed rules: root MFA, console MFA, no open SSH, no public buckets, encrypted volumes and databases, a multi-region trail, IMDSv2",
			Role:       RoleAccount,
			Frameworks: []string{"CIS 1.5", "CIS 1.10"},
			Check:      configRules,
		},
		{
			ID: "DET-5", Title: "Security Hub is enabled with AWS Foundational Security Best Practices, CIS AWS Foundations Benchmark v3.0.0 and the standards configured in securityHubExtraStandards; the home region aggregates the findings of every other governed region",
			Role:          RoleRegion,
			NotApplicable: centrallyRun("Security Hub"),
			Check:         securityHubEnabled,
		},
		{
			ID: "DET-6", Title: "IAM Access Analyzer watches the account for resources shared outside it",
			Role:          RoleRegion,
			Frameworks:    []string{"FSBP IAM.28"},
			NotApplicable: centrallyRun("IAM Access Analyzer"),
			Check:         accessAnalyzerOn,
		},
		{
			ID: "DET-7", Title: "EventBridge sends GuardDuty findings of severity 7 or more and Security Hub findings rated HIGH or CRITICAL to the alerts topic; the other governed regions forward their GuardDuty findings (and, without this app's Security Hub aggregation, their Security Hub findings) to the home region's event bus",
			Role:  RoleRegion,
			Check: findingsAlerted,
		},
		{
			ID: "BASE-1", Title: "Each account's baseline is set: IAM password policy (14 characters or more, every character class, 24 remembered) and account-wide S3 Block Public Access (EBS encryption by default, a setting of each region: BASE-2)",
			Role:       RoleAccount,
			Construct:  "constructs/baseline",
			Frameworks: []string{"FSBP IAM.7", "FSBP S3.1", "CIS 1.8", "CIS 1.9", "CIS 2.1.4"},
			Check:      accountBaselineSet,
		},
		{
			ID: "BASE-2", Title: "EBS encryption by default is on in each governed region of each account (a setting of each region)",
			Role: RoleRegion, Construct: "constructs/baseline",
			Frameworks: []string{"FSBP EC2.7", "CIS 2.2.1"},
			Check:      ebsEncryptionByDefault,
		},
	})
}

// cisMetricFilters checks that the trail's log group carries the CIS metric filters, each alarmed.
func cisMetricFilters(t *Template, f StackFacts) []Failure {
	return trailFiltersAlarmed(t, f, CISFilters(), "the benchmark's (Security Hub reports a near miss as failed)")
}

// trailFiltersAlarmed checks that the account trail's log group carries each
// of filters, with its exact pattern (whose is the source of the pattern,
// for messages), and an alarm on it to an SNS topic of the stack.
func trailFiltersAlarmed(t *Template, f StackFacts, filters []CISFilter, whose string) []Failure {
	tr, fails := accountTrail(t, f)
	if tr == nil {
		return fails
	}
	groupID, _ := RefTarget(tr.Properties()["CloudWatchLogsLogGroupArn"])
	for _, want := range filters {
		mf := metricFilter(t, groupID, want.Name)
		if mf == nil {
			fails = append(fails, Failure{"", fmt.Sprintf("no metric filter %s/%s on the trail's log group (%s)", CISNamespace, want.Name, want.Recommendation)})
			continue
		}
		if got := mf.String("FilterPattern"); got != want.Pattern {
			fails = append(fails, Failure{mf.Path(), fmt.Sprintf("%s's pattern (%s) is not %s:\n  got  %s\n  want %s", want.Name, want.Recommendation, whose, got, want.Pattern)})
		}
		if !alarmed(t, want.Name) {
			fails = append(fails, Failure{mf.Path(), fmt.Sprintf("no alarm on %s/%s (Sum >= 1) notifies an SNS topic of this stack", CISNamespace, want.Name)})
		}
	}
	return fails
}

// guardDutyEnabled checks that a GuardDuty detector is enabled with every protection plan and frequent findings.
func guardDutyEnabled(t *Template, f StackFacts, d Resource) []Failure {
	var fails []Failure
	if !d.Bool("Enable") {
		fails = append(fails, Failure{d.Path(), "Enable is not true"})
	}
	if d.String("FindingPublishingFrequency") != "FIFTEEN_MINUTES" {
		fails = append(fails, Failure{d.Path(), fmt.Sprintf("FindingPublishingFrequency is %v, not FIFTEEN_MINUTES", orNone(d.Properties()["FindingPublishingFrequency"]))})
	}
	enabled := map[string]bool{}
	for _, ft := range list(d.Properties()["Features"]) {
		name, _ := dig(ft, "Name")
		status, _ := dig(ft, "Status")
		enabled[fmt.Sprint(name)] = status == "ENABLED"
	}
	for _, want := range GuardDutyFeatures {
		if !enabled[want] {
			fails = append(fails, Failure{d.Path(), want + " is not enabled"})
		}
	}
	return fails
}

// configRecording checks that AWS Config records every supported resource type and delivers to the archive.
func configRecording(t *Template, f StackFacts) []Failure {
	if len(t.Resources("AWS::Config::ConfigurationRecorder")) == 0 {
		return []Failure{{"", "no AWS Config recorder: Security Hub's controls would have nothing to evaluate"}}
	}
	fails := each("AWS::Config::ConfigurationRecorder", "", recorderComplete)(t, f)
	return append(fails, each("AWS::Config::DeliveryChannel", "no AWS Config delivery channel", channelProtected)(t, f)...)
}

// recorderComplete checks that a Config recorder records every supported type and runs as Config's service-linked role.
func recorderComplete(t *Template, f StackFacts, r Resource) []Failure {
	fails := recordsEverything(r, f.Region == f.HomeRegion)
	if !strings.HasSuffix(flatten(r.Properties()["RoleARN"]), "/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig") {
		fails = append(fails, Failure{r.Path(), "does not run as AWS Config's service-linked role"})
	}
	return fails
}

// channelProtected checks that a Config delivery channel delivers to an encrypted, private, TLS-only bucket of this stack.
func channelProtected(t *Template, f StackFacts, ch Resource) []Failure {
	id, ok := RefTarget(ch.Properties()["S3BucketName"])
	b, found := t.Resource(id)
	if !ok || !found || b.Type != "AWS::S3::Bucket" {
		return []Failure{{ch.Path(), "does not deliver to a bucket of this stack"}}
	}
	var fails []Failure
	if !bucketEncrypted(t, b) {
		fails = append(fails, Failure{b.Path(), "is not encrypted"})
	}
	fails = append(fails, publicAccessBlocked(b)...)
	if !deniesInsecureTransport(t, b.LogicalID) {
		fails = append(fails, Failure{b.Path(), "its policy does not deny requests without TLS"})
	}
	return fails
}

// configRules checks that AWS Config evaluates the seed's managed rules.
func configRules(t *Template, f StackFacts) []Failure {
	have := map[string]bool{}
	for _, r := range t.Resources("AWS::Config::ConfigRule") {
		if owner, _ := r.Get("Source", "Owner"); owner == "AWS" {
			id, _ := r.Get("Source", "SourceIdentifier")
			have[fmt.Sprint(id)] = true
		}
	}
	var fails []Failure
	for _, want := range ConfigRules {
		if !have[want] {
			fails = append(fails, Failure{"", "no AWS Config managed rule " + want})
		}
	}
	return fails
}

// securityHubEnabled checks that Security Hub is enabled with the configured standards.
func securityHubEnabled(t *Template, f StackFacts) []Failure {
	if len(t.Resources("AWS::SecurityHub::Hub")) == 0 {
		return []Failure{{"", "Security Hub is not enabled (no AWS::SecurityHub::Hub)"}}
	}
	have := map[string]bool{}
	for _, s := range t.Resources("AWS::SecurityHub::Standard") {
		arn := flatten(s.Properties()["StandardsArn"])
		if i := strings.Index(arn, "standards/"); i >= 0 { // a standard without one enables nothing this control knows
			have[arn[i+len("standards/"):]] = true
		}
	}
	want := f.SecurityHubStandards
	if len(want) == 0 {
		want = []string{"aws-foundational-security-best-practices/v/1.0.0", "cis-aws-foundations-benchmark/v/3.0.0"}
	}
	fails := aggregatesRegions(t, f)
	for _, w := range want {
		if !have[w] {
			fails = append(fails, Failure{"", "the standard " + w + " is not enabled"})
		}
	}
	return fails
}

// accessAnalyzerOn checks that IAM Access Analyzer watches the account.
func accessAnalyzerOn(t *Template, f StackFacts) []Failure {
	for _, a := range t.Resources("AWS::AccessAnalyzer::Analyzer") {
		if a.String("Type") == "ACCOUNT" || a.String("Type") == "ORGANIZATION" {
			return nil
		}
	}
	return []Failure{{"", "no IAM Access Analyzer of type ACCOUNT"}}
}

// findingsAlerted checks that EventBridge sends severe findings to the alerts topic.
func findingsAlerted(t *Template, f StackFacts) []Failure {
	var gd, sh bool
	home := f.Region == f.HomeRegion
	if !home && !f.CentralDetection {
		sh = true // aggregated into the home region (DET-5)
	}
	for _, r := range t.Resources("AWS::Events::Rule") {
		if r.String("State") == "DISABLED" || (home && !targetsTopic(t, r)) || (!home && !targetsHomeBus(r, f)) {
			continue
		}
		src := jsonText(mapOf(r.Properties()["EventPattern"])["source"])
		detail := jsonText(mapOf(r.Properties()["EventPattern"])["detail"])
		switch {
		case strings.Contains(src, `"aws.guardduty"`) && detail == `{"severity":[{"numeric":[">=",7]}]}`:
			gd = true
		case strings.Contains(src, `"aws.securityhub"`) && strings.Contains(detail, `"Label":["HIGH","CRITICAL"]`):
			sh = true
		}
	}
	var fails []Failure
	if !gd {
		fails = append(fails, Failure{"", "no enabled rule sends GuardDuty findings of severity >= 7 to an SNS topic of this stack (home region) or to the home region's event bus"})
	}
	if !sh {
		fails = append(fails, Failure{"", "no enabled rule sends HIGH and CRITICAL Security Hub findings to an SNS topic of this stack (home region) or to the home region's event bus"})
	}
	return fails
}

// accountBaselineSet checks that the account's password policy and account-wide settings are set.
func accountBaselineSet(t *Template, f StackFacts) []Failure {
	calls := sdkCalls(t)
	var fails []Failure
	if p, ok := calls["UpdateAccountPasswordPolicy"]; !ok {
		fails = append(fails, Failure{"", "nothing sets the IAM account password policy"})
	} else {
		fails = append(fails, passwordPolicyFailures(p)...)
	}
	if p, ok := calls["PutPublicAccessBlock"]; !ok {
		fails = append(fails, Failure{"", "nothing sets S3 Block Public Access for the account"})
	} else {
		for _, k := range []string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"} {
			if v, _ := dig(p, "PublicAccessBlockConfiguration", k); v != true {
				fails = append(fails, Failure{"", "account-wide S3 Block Public Access does not set " + k})
			}
		}
	}
	return fails
}

// sdkCalls returns the parameters of the SDK call each custom resource
// makes on create, by action.
func sdkCalls(t *Template) map[string]map[string]any {
	calls := map[string]map[string]any{}
	for _, r := range t.Resources("Custom::AWS") {
		var call struct {
			Action     string         `json:"action"`
			Parameters map[string]any `json:"parameters"`
		}
		if json.Unmarshal([]byte(flattenAll(r.Properties()["Create"])), &call) == nil && call.Action != "" {
			calls[call.Action] = call.Parameters
		}
	}
	return calls
}

// passwordPolicyFailures checks the password policy's parameters: 14
// characters or more, every character class, 24 remembered.
func passwordPolicyFailures(p map[string]any) []Failure {
	var fails []Failure
	if n, _ := number(p["MinimumPasswordLength"]); n < 14 {
		fails = append(fails, Failure{"", fmt.Sprintf("the password policy's MinimumPasswordLength is %v, below 14", orNone(p["MinimumPasswordLength"]))})
	}
	for _, k := range []string{"RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters", "RequireLowercaseCharacters"} {
		if p[k] != true {
			fails = append(fails, Failure{"", "the password policy does not set " + k})
		}
	}
	if n, _ := number(p["PasswordReusePrevention"]); n < 24 {
		fails = append(fails, Failure{"", fmt.Sprintf("the password policy's PasswordReusePrevention is %v, below 24", orNone(p["PasswordReusePrevention"]))})
	}
	return fails
}

// ebsEncryptionByDefault checks that EBS encryption by default is on.
func ebsEncryptionByDefault(t *Template, f StackFacts) []Failure {
	for _, r := range t.Resources("Custom::AWS") {
		if strings.Contains(flattenAll(r.Properties()["Create"]), `"action":"EnableEbsEncryptionByDefault"`) {
			return nil
		}
	}
	return []Failure{{"", "nothing enables EBS encryption by default in " + f.Region}}
}

func metricFilter(t *Template, groupID, metric string) *Resource {
	for _, mf := range t.Resources("AWS::Logs::MetricFilter") {
		if !refersTo(mf.Properties()["LogGroupName"], groupID) {
			continue
		}
		for _, tr := range list(mf.Properties()["MetricTransformations"]) {
			ns, _ := dig(tr, "MetricNamespace")
			name, _ := dig(tr, "MetricName")
			if ns == CISNamespace && name == metric {
				return &mf
			}
		}
	}
	return nil
}

func alarmed(t *Template, metric string) bool {
	for _, a := range t.Resources("AWS::CloudWatch::Alarm") {
		if a.String("Namespace") != CISNamespace || a.String("MetricName") != metric {
			continue
		}
		if n, _ := number(a.Properties()["Threshold"]); n != 1 || a.String("ComparisonOperator") != "GreaterThanOrEqualToThreshold" {
			continue
		}
		for _, action := range list(a.Properties()["AlarmActions"]) {
			if id, ok := RefTarget(action); ok {
				if r, found := t.Resource(id); found && r.Type == "AWS::SNS::Topic" {
					return true
				}
			}
		}
	}
	return false
}

func targetsTopic(t *Template, rule Resource) bool {
	for _, tg := range list(rule.Properties()["Targets"]) {
		arn, _ := dig(tg, "Arn")
		if id, ok := RefTarget(arn); ok {
			if r, found := t.Resource(id); found && r.Type == "AWS::SNS::Topic" {
				return true
			}
		}
	}
	return false
}

func bucketEncrypted(t *Template, b Resource) bool {
	enc, _ := b.Get("BucketEncryption", "ServerSideEncryptionConfiguration")
	for _, r := range list(enc) {
		alg, _ := dig(r, "ServerSideEncryptionByDefault", "SSEAlgorithm")
		key, _ := dig(r, "ServerSideEncryptionByDefault", "KMSMasterKeyID")
		if alg == "aws:kms" && isStackKey(t, key) {
			return true
		}
	}
	return false
}

// recordsEverything checks a Config recorder's recording group: every
// supported type, with the global ones in the home region only.
func recordsEverything(r Resource, home bool) []Failure {
	if home {
		if !r.Bool("RecordingGroup", "AllSupported") || !r.Bool("RecordingGroup", "IncludeGlobalResourceTypes") {
			return []Failure{{r.Path(), "does not record all supported resource types including global ones (home region)"}}
		}
		return nil
	}
	excluded, _ := r.Get("RecordingGroup", "ExclusionByResourceTypes", "ResourceTypes")
	var got []string
	for _, v := range list(excluded) {
		got = append(got, fmt.Sprint(v))
	}
	sort.Strings(got)
	want := append([]string(nil), GlobalResourceTypes...)
	sort.Strings(want)
	if r.String("RecordingGroup", "RecordingStrategy", "UseOnly") != "EXCLUSION_BY_RESOURCE_TYPES" || strings.Join(got, ",") != strings.Join(want, ",") {
		return []Failure{{r.Path(), "outside the home region, must record every type but the global ones (" + strings.Join(want, ", ") + "), which the home region records"}}
	}
	return nil
}

// aggregatesRegions checks the home region's Security Hub finding
// aggregator: it links exactly the other governed regions.
func aggregatesRegions(t *Template, f StackFacts) []Failure {
	others := f.GovernedRegions
	if len(others) > 0 {
		others = others[1:]
	}
	if f.Region != f.HomeRegion || len(others) == 0 {
		return nil
	}
	for _, a := range t.Resources("AWS::SecurityHub::FindingAggregator") {
		var got []string
		for _, v := range list(a.Properties()["Regions"]) {
			got = append(got, fmt.Sprint(v))
		}
		sort.Strings(got)
		want := append([]string(nil), others...)
		sort.Strings(want)
		if a.String("RegionLinkingMode") == "SPECIFIED_REGIONS" && strings.Join(got, ",") == strings.Join(want, ",") {
			return nil
		}
		return []Failure{{a.Path(), fmt.Sprintf("links %v; the other governed regions are %v", got, want)}}
	}
	return []Failure{{"", "no Security Hub finding aggregator gathers the other governed regions' findings into the home region"}}
}

// targetsHomeBus reports whether a rule sends its events to the default
// event bus of the home region, in the same account.
func targetsHomeBus(r Resource, f StackFacts) bool {
	for _, tg := range list(r.Properties()["Targets"]) {
		account := f.WorkloadAccount
		if f.Role == RoleLogArchive {
			account = f.LoggingAccount
		}
		arn := flatten(mapOf(tg)["Arn"])
		if strings.HasSuffix(arn, ":events:"+f.HomeRegion+":"+account+":event-bus/default") && mapOf(tg)["RoleArn"] != nil {
			return true
		}
	}
	return false
}
