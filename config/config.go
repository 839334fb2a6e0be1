package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Profile selects the cost levers of a deployment. Both profiles deploy every
// control; they differ in sizes, counts, retention lengths and lock modes.
type Profile string

const (
	// Sandbox is for short-lived accounts: small, cheap, easy to tear down
	// (Object Lock in GOVERNANCE mode, short retention).
	Sandbox Profile = "sandbox"
	// Production keeps audit evidence for years under COMPLIANCE-mode
	// Object Lock, which nobody, not even the root user, can shorten.
	Production Profile = "production"
)

// Config is the validated configuration of one deployment. Build it with Load;
// a Config that Load returned without error is safe to build stacks from.
type Config struct {
	// Regions are the governed regions as configured, comma-separated ("":
	// the home region only). Use GovernedRegions.
	Regions string
	// AppName prefixes stack names and every deterministic resource name.
	AppName string
	// WorkloadAccount runs the web application and its trail.
	WorkloadAccount string
	// LoggingAccount holds the log archive that the workload cannot delete from.
	LoggingAccount string
	// Region is the region of every stack.
	Region  string
	Profile Profile

	// DomainName, HostedZoneID and CertificateARN describe the HTTPS edge.
	DomainName     string
	HostedZoneID   string
	CertificateARN string
	// AlertEmail receives security alerts when set.
	AlertEmail string

	Network  Network
	Database Database
	App      App
	// Detection configures the trail's data events and Security Hub.
	Detection Detection
	// LogRetentionDays is the retention of the workload's CloudWatch Logs groups.
	LogRetentionDays int

	LogArchive LogArchive

	// Org holds what an organization imposes on every stack.
	Org Org
	// GitHub configures the optional deploy stack for GitHub Actions.
	GitHub GitHub

	// NagReports has the cdk-nag packs write their per-stack reports into
	// the cloud assembly.
	NagReports bool
}

// Org holds the settings an organization imposes: a permissions boundary on
// every role, and tags on every resource.
type Org struct {
	// PermissionsBoundary is a managed policy name or ARN; empty: none.
	PermissionsBoundary string
	// Tags are key=value pairs, comma-separated as configured. Use TagList.
	Tags string
}

// GitHub configures the GitHub Actions deploy stack.
type GitHub struct {
	// Repository is "owner/repo"; empty: no deploy stack.
	Repository string
	// OIDCProviderARN is the account's existing GitHub OIDC provider; empty:
	// the deploy stack creates it.
	OIDCProviderARN string
}

// Network configures the workload VPC.
type Network struct {
	// CIDR is the VPC's IPv4 range.
	CIDR string
	// AZCount is the number of availability zones spanned.
	AZCount int
	// Zones is the comma-separated list of zone names as configured; empty
	// means the first AZCount lettered zones of the region. Use AZs.
	Zones string
	// ZoneIDs is the comma-separated list of AZ IDs as configured; empty
	// means the zones are placed by name (Zones). Use AZs and ByZoneID.
	ZoneIDs string
	// InternetEgress lets the app tier reach the internet through NAT
	// gateways; false: no NAT gateway, AWS services through endpoints only.
	InternetEgress bool
	// NatGateways is the number of NAT gateways (1 to AZCount) when
	// InternetEgress is true. Use NATs.
	NatGateways int
	// InterfaceEndpoints adds Secrets Manager and KMS interface endpoints.
	InterfaceEndpoints bool
}

// Detection configures the audit and detection services.
type Detection struct {
	// Services creates GuardDuty, Security Hub, the Config recorder and
	// channel, and the account's Access Analyzer; false leaves them to the
	// account's organization.
	Services bool
	// TrailS3DataEvents records the object events of every bucket.
	TrailS3DataEvents bool
	// ExtraStandards lists Security Hub standards (keys of ExtraStandards)
	// beyond the two always enabled, comma-separated as configured. Use
	// Standards.
	ExtraStandards string
}

// Standards returns the Security Hub standards to enable, as the part of
// their ARNs after "standards/": the two always enabled, then the extras.
func (d Detection) Standards() []string {
	out := []string{"aws-foundational-security-best-practices/v/1.0.0", "cis-aws-foundations-benchmark/v/3.0.0"}
	if d.ExtraStandards == "" {
		return out
	}
	for _, n := range strings.Split(d.ExtraStandards, ",") {
		out = append(out, ExtraStandards[strings.TrimSpace(n)])
	}
	return out
}

// App configures the app tier.
type App struct {
	// InstanceType is the EC2 instance type, such as t4g.small.
	InstanceType string
	// MinCapacity and MaxCapacity bound the Auto Scaling group.
	MinCapacity, MaxCapacity int
	// Port is the HTTPS port the instances serve on.
	Port int
	// SessionManager grants SSM Session Manager access.
	SessionManager bool
}

// Database configures the PostgreSQL database.
type Database struct {
	// Port is the port the database listens on.
	Port int
	// InstanceClass is the RDS instance class, such as db.t4g.micro.
	InstanceClass string
	// StorageGiB is the initial allocated storage.
	StorageGiB int
	// BackupDays is the automated backup retention (7 to 35).
	BackupDays int
	// RotationDays is the master password's rotation interval.
	RotationDays int
}

// LogArchive configures the CloudTrail bucket in the logging account.
type LogArchive struct {
	// LockMode is the default Object Lock mode: GOVERNANCE or COMPLIANCE.
	LockMode string
	// LockDays is the default Object Lock retention of every log object.
	LockDays int
	// TransitionDays is the age at which logs move to Glacier Instant Retrieval.
	TransitionDays int
	// ExpirationDays is the age at which logs (and S3 access logs) expire.
	ExpirationDays int
	// BreakGlassRole names the logging-account role that, besides the CDK
	// bootstrap's CloudFormation execution role, may change the archive's
	// protections. Use BreakGlassRoleARN.
	BreakGlassRole string
}

// Problem is one invalid setting: the key, the value given and what is allowed.
type Problem struct {
	Key     string
	Value   any
	Message string
}

func (p *Problem) Error() string {
	if p.Value == nil {
		return fmt.Sprintf("%s: %s", p.Key, p.Message)
	}
	return fmt.Sprintf("%s: %s given: %s", p.Key, describe(p.Value), p.Message)
}

func describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case float64, int:
		return fmt.Sprintf("%v (a number)", v)
	case bool:
		return fmt.Sprintf("%v (a boolean)", v)
	default:
		return fmt.Sprintf("%v", v)
	}
}

// Problems returns the individual problems inside an error returned by Load.
func Problems(err error) []*Problem {
	var out []*Problem
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		for _, e := range joined.Unwrap() {
			var p *Problem
			if errors.As(e, &p) {
				out = append(out, p)
			}
		}
		return out
	}
	var p *Problem
	if errors.As(err, &p) {
		out = append(out, p)
	}
	return out
}

// Load builds a Config from CDK context: the defaults of the chosen profile,
// overridden by every key that the context sets. It returns all problems at
// once, joined with errors.Join; each is a *Problem.
//
// Context keys that belong to CDK itself (see IsCDKKey) are ignored; any other
// key that is not in the key table is a problem.
func Load(context map[string]any) (*Config, error) {
	var problems []error

	names := make([]string, 0, len(context))
	for name := range context {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if IsCDKKey(name) || lookup(name) != nil {
			continue
		}
		msg := "unknown setting"
		if s := suggest(name); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		msg += "; the settings are listed in README.md (Configuration)"
		problems = append(problems, &Problem{Key: name, Value: context[name], Message: msg})
	}

	// The profile comes first: the other keys' defaults depend on it.
	c := &Config{}
	pk := lookup(keyProfile)
	pk.setDefault(c)
	if raw, ok := context[keyProfile]; ok {
		if err := pk.set(c, raw); err != nil {
			problems = append(problems, err) // keep going with the default, to report every other problem too
		}
	}
	for _, k := range Keys() {
		if k.Name == keyProfile {
			continue
		}
		raw, ok := context[k.Name]
		if !ok {
			k.setDefault(c)
			continue
		}
		if err := k.set(c, raw); err != nil {
			problems = append(problems, err)
			k.setDefault(c)
		}
	}

	problems = append(problems, c.crossCheck()...)
	if raw, set := context["natGateways"]; set && !c.Network.InternetEgress {
		problems = append(problems, &Problem{Key: "natGateways", Value: raw, Message: "is set, but internetEgress is false, so there is no NAT gateway; remove natGateways, or set internetEgress true"})
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return c, nil
}

// CDKContext returns the CDK's own keys (IsCDKKey) of the context in the
// cdk.json file at path: the feature flags, without any of the app's
// settings. The tests synthesize with them, as `cdk synth` does, on
// fixtures of their own, so that a fork's settings in cdk.json never change
// what they check.
func CDKContext(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ctx := map[string]any{}
	for k, v := range doc.Context {
		if IsCDKKey(k) {
			ctx[k] = v
		}
	}
	return ctx, nil
}

// duplicateKeys returns the keys that an object of the JSON document data
// holds more than once, each as its path ("context.@aws-cdk/core:x"): JSON
// parsers keep one of them silently (the CDK CLI the last), so a setting
// written twice in cdk.json is one nobody can tell is in force.
func duplicateKeys(data []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var dups []string
	var value func(path string) error
	value = func(path string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key, _ := k.(string)
				if seen[key] {
					dups = append(dups, strings.TrimPrefix(path+"."+key, "."))
				}
				seen[key] = true
				if err := value(path + "." + key); err != nil {
					return err
				}
			}
			_, err = dec.Token() // }
			return err
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if err := value(fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
			_, err = dec.Token() // ]
			return err
		}
		return nil
	}
	if err := value(""); err != nil {
		return nil, err
	}
	return dups, nil
}

// IsCDKKey reports whether a context key belongs to the CDK rather than to
// this app: feature flags ("@aws-cdk/core:..."), namespaced keys
// ("aws:cdk:...", "aws-cdk:...", cached lookups such as
// "availability-zones:account=...") and the CLI's own plain keys.
func IsCDKKey(name string) bool {
	if strings.HasPrefix(name, "@") || strings.Contains(name, ":") {
		return true
	}
	switch name {
	case "acknowledged-issue-numbers", "cli-telemetry", "notices":
		return true
	}
	return false
}

// FormatError renders an error from Load for a terminal: one problem a line.
func FormatError(err error) string {
	ps := Problems(err)
	if len(ps) == 0 {
		return err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "invalid configuration: %d problem(s); nothing was synthesized\n", len(ps))
	for _, p := range ps {
		fmt.Fprintf(&b, "  - %s\n", p.Error())
	}
	b.WriteString("Set values in cdk.json's \"context\" block or with `cdk synth -c key=value`; README.md lists every setting.\n")
	return b.String()
}

// suggest returns the known key closest to name, if it is close enough to be
// a likely typo.
func suggest(name string) string {
	best, bestDist := "", 1<<30
	for _, k := range Keys() {
		d := distance(strings.ToLower(name), strings.ToLower(k.Name))
		if d < bestDist {
			best, bestDist = k.Name, d
		}
	}
	if bestDist <= max(2, len(best)/3) {
		return best
	}
	return ""
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
