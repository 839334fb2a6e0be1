package controls

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Role says which account a template deploys into, and so which account a
// control checks. The controls of a role check that account as deployed:
// one view of all its stacks (see AccountView).
type Role string

const (
	RoleLogArchive Role = "log-archive"
	RoleWorkload   Role = "workload"
	// RoleAccount marks a control that checks each account (its view in
	// the home region).
	RoleAccount Role = "each account"
	// RoleRegion marks a control that checks each account in each governed
	// region: the account's view of its stacks in that region.
	RoleRegion Role = "each account and region"
	// RoleAny marks a control that applies to every stack on its own.
	RoleAny Role = "any"
)

// StackKind says which of the app's stacks a template is.
type StackKind string

const (
	// StackLogArchive is the log archive, in the logging account.
	StackLogArchive StackKind = "log-archive"
	// StackBaseline is the workload account's security baseline: the trail,
	// the detection services and what else exists once per account.
	StackBaseline StackKind = "baseline"
	// StackData is the stateful workload: network, database, buckets.
	StackData StackKind = "data"
	// StackService is the stateless workload: instances, load balancer,
	// certificate, web ACL.
	StackService StackKind = "service"
	// StackLoggingBaseline is the logging account's security baseline in
	// the home region: its own trail into the archive, the alarms that
	// watch the archive, the detection services, the account settings.
	StackLoggingBaseline StackKind = "logging-baseline"
	// StackRegionalBaseline is an account's baseline in a governed region
	// other than the home region: detection services and EBS encryption by
	// default.
	StackRegionalBaseline StackKind = "regional-baseline"
)

// StackGitHubDeploy is the optional stack of the GitHub Actions deploy
// role, in the workload account.
const StackGitHubDeploy StackKind = "github-deploy"

// StackKinds are the kinds of stack every synthesis has in the home region,
// in deployment order (StackGitHubDeploy is optional,
// and StackRegionalBaseline is one per account and governed region beyond
// the home region).
var StackKinds = []StackKind{StackLogArchive, StackLoggingBaseline, StackBaseline, StackData, StackService}

// Role is the account a home-region stack of this kind deploys into.
func (k StackKind) Role() Role {
	if k == StackLogArchive || k == StackLoggingBaseline {
		return RoleLogArchive
	}
	return RoleWorkload
}

// MetadataKey is the key, under the template's top-level Metadata, of the
// facts the app records for verification.
const MetadataKey = "SecureWebapp"

// StackFacts are what the app records in each template so that a template
// can be verified on its own, without the configuration that produced it.
type StackFacts struct {
	Role Role `json:"Role"`
	// Stack is the kind of stack; StackName its CloudFormation name; and
	// DeploysAfter the CloudFormation names of the stacks it deploys after.
	Stack           StackKind `json:"Stack"`
	StackName       string    `json:"StackName"`
	DeploysAfter    []string  `json:"DeploysAfter,omitempty"`
	Profile         string    `json:"Profile"`
	WorkloadAccount string    `json:"WorkloadAccount"`
	LoggingAccount  string    `json:"LoggingAccount"`
	TrailARN        string    `json:"TrailArn"`
	// LoggingTrailARN is the logging account's own trail, which writes
	// into the archive too.
	LoggingTrailARN string `json:"LoggingTrailArn,omitempty"`
	TrailBucketName string `json:"TrailBucketName"`
	TrailKeyAlias   string `json:"TrailKeyAliasArn"`
	LockMode        string `json:"LockMode"`
	LockDays        int    `json:"LockDays"`
	// Tags are the tags every taggable resource carries; Boundary the
	// permissions boundary of every role ("" for none).
	Tags     map[string]string `json:"Tags,omitempty"`
	Boundary string            `json:"PermissionsBoundary,omitempty"`
	// Guardians are the only principals that may change the log archive's
	// protections.
	Guardians []string `json:"ArchiveGuardians,omitempty"`
	// GitHubRepository is the repository whose GitHub environment named
	// after the profile may deploy ("" for no GitHub deploy stack).
	GitHubRepository string `json:"GitHubRepository,omitempty"`
	// The workload's settings that its controls check against.
	AZCount int `json:"AzCount,omitempty"`
	// Zones are the configured availability zones, by name, or by AZ ID
	// with ZonesByID.
	Zones              []string `json:"Zones,omitempty"`
	ZonesByID          bool     `json:"ZonesByZoneId,omitempty"`
	InternetEgress     bool     `json:"InternetEgress,omitempty"`
	NatGateways        int      `json:"NatGateways,omitempty"`
	InterfaceEndpoints bool     `json:"InterfaceEndpoints,omitempty"`
	LogRetentionDays   int      `json:"LogRetentionDays,omitempty"`
	DBBackupDays       int      `json:"DbBackupRetentionDays,omitempty"`
	DBRotationDays     int      `json:"DbSecretRotationDays,omitempty"`
	DBPort             int      `json:"DbPort,omitempty"`
	DBAppUser          string   `json:"DbAppUser,omitempty"`
	UploadPrefix       string   `json:"UploadPrefix,omitempty"`
	// AppCompute is the kind of compute the app tier runs on (ComputeEC2).
	AppCompute string `json:"AppCompute,omitempty"`
	// Region is the stack's region; HomeRegion the region of the app's
	// stacks and of each account's trail and alerts; GovernedRegions every
	// region with a baseline, the home region first.
	Region               string   `json:"Region,omitempty"`
	HomeRegion           string   `json:"HomeRegion,omitempty"`
	GovernedRegions      []string `json:"GovernedRegions,omitempty"`
	AppPort              int      `json:"AppPort,omitempty"`
	SessionManager       bool     `json:"SessionManager,omitempty"`
	AlertEmail           bool     `json:"AlertEmail,omitempty"`
	DomainName           string   `json:"DomainName,omitempty"`
	HostedZoneID         string   `json:"HostedZoneId,omitempty"`
	TrailS3DataEvents    bool     `json:"TrailS3DataEvents,omitempty"`
	SecurityHubStandards []string `json:"SecurityHubStandards,omitempty"`
	// CentralDetection: GuardDuty, Security Hub and the Config recorder are
	// run for the account by its organization, not by this stack.
	CentralDetection bool `json:"CentralDetection,omitempty"`
}

// Map renders the facts as template metadata.
func (f StackFacts) Map() map[string]any {
	b, _ := json.Marshal(f)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// Responsibility is a side of the shared-responsibility line.
type Responsibility string

const (
	// Customer: security in the cloud, which this app must build.
	Customer Responsibility = "customer"
)

// Layers of the architecture (README.md's "What it builds today"), one per
// part of the customer's side of the shared-responsibility line.
const (
	LayerData    = "Data"
	LayerNetwork = "Network"
	LayerApp     = "App"
	LayerTLS     = "TLS"
	LayerAudit   = "Audit & detection"
)

// Failure is one reason a control does not hold.
type Failure struct {
	// Resource is the construct path (or logical ID) of the offending
	// resource, or "" when the failure is about something missing.
	Resource string
	Reason   string
}

// Control is one security control: defined once here, checked by the tests,
// by cmd/verify, and listed in docs/CONTROLS.md.
type Control struct {
	ID    string
	Title string
	// Layer is the part of the architecture the control protects.
	Layer          string
	Responsibility Responsibility
	// Frameworks are Security Hub control IDs (AWS Foundational Security Best
	// Practices, "FSBP S3.5") and CIS AWS Foundations Benchmark v3.0.0
	// recommendations ("CIS 3.1") that the control implements.
	Frameworks []string
	// Construct is the package that builds what the control checks.
	Construct string
	// Role is the stack the control applies to.
	Role Role
	// Check inspects one template of that role and returns what is wrong.
	Check func(t *Template, f StackFacts) []Failure
	// NotApplicable (optional) returns why the control does not apply to a
	// stack with these facts, or "" when it does. A control that does not
	// apply is reported as such, never as passed.
	NotApplicable func(f StackFacts) string
	// Compute (optional) is the one compute kind of the app tier whose
	// shapes the control reads (ComputeEC2: launch template, Auto Scaling
	// group, user data); it does not apply to an app tier of another kind,
	// which brings its own (docs/CUSTOMIZE.md). "" for a control of every
	// kind.
	Compute string
}

// All returns every control, in ID order.
func All() []Control {
	var all []Control
	for _, group := range [][]Control{logArchiveControls(), trailControls(), networkControls(), {egressControl()}, databaseControls(), {appUserControl()}, appControls(), edgeControls(), detectionControls(), generalControls(), lifecycleControls(), githubControls(), orgControls()} {
		all = append(all, group...)
	}
	sort.Slice(all, func(i, j int) bool { return idLess(all[i].ID, all[j].ID) })
	return all
}

var reID = regexp.MustCompile(`^([A-Z]+)-([0-9]+)$`)

func idLess(a, b string) bool {
	ma, mb := reID.FindStringSubmatch(a), reID.FindStringSubmatch(b)
	if ma == nil || mb == nil || ma[1] != mb[1] {
		return a < b
	}
	var na, nb int
	fmt.Sscan(ma[2], &na)
	fmt.Sscan(mb[2], &nb)
	return na < nb
}

// Status of a control after verification.
type Status string

const (
	Pass Status = "pass"
	Fail Status = "fail"
	// Skipped: no template of the control's role was given.
	Skipped Status = "skipped"
	// NotApplicable: the configuration leaves what the control checks to
	// someone else; the result's Note says who.
	NotApplicable Status = "n/a"
)

// Result is the verdict on one control over one set of templates.
type Result struct {
	Control  Control
	Status   Status
	Template string // the template checked ("" when skipped)
	Failures []Failure
	Note     string // why the control does not apply (NotApplicable only)

	files map[string]string // of a view: each stack's template file, by the first segment of its resources' paths
}

// File returns the template file that holds the resource a failure names:
// for an account view, the file of the stack the resource comes from.
func (r Result) File(f Failure) string {
	if i := strings.Index(f.Resource, "/"); i > 0 {
		if file, ok := r.files[f.Resource[:i]]; ok {
			return file
		}
	}
	if len(r.files) > 0 { // a failure about something missing from the view: its first stack's file
		var files []string
		for _, file := range r.files {
			files = append(files, file)
		}
		sort.Strings(files)
		return files[0]
	}
	return r.Template
}

// Evaluate runs every control against the templates. Each template must carry
// the app's facts (see Template.Facts). When complete is true, every role must
// be present and a control without a template fails; otherwise it is skipped.
//
// A control of RoleAny checks every template on its own. A control of an
// account's role checks one view of that account: its stacks merged into
// one template, each cross-stack import resolved to what it exports (see
// AccountView), so that a control reads what the account holds once every
// stack is deployed, wherever a resource lives.
func Evaluate(controls []Control, templates []*Template, complete bool) ([]Result, error) {
	s, err := groupSynthesis(templates)
	if err != nil {
		return nil, err
	}
	if err := s.mergeViews(); err != nil {
		return nil, err
	}
	var results []Result
	for _, c := range controls {
		results = append(results, s.evaluate(c, complete)...)
	}
	return results, nil
}

// viewKey names an account view: the account's role and its stacks' region.
type viewKey struct {
	role   Role
	region string
}

// synthesis is the templates given to Evaluate, grouped into account views.
type synthesis struct {
	first  *StackFacts                    // the facts every template must agree on (nil for no templates)
	all    []*Template                    // every template, in the order given
	stacks map[string]string              // stack name -> template
	byView map[viewKey][]*Template        // the templates of each view
	kinds  map[viewKey]map[StackKind]bool // the kinds of stack each view holds
	views  map[viewKey]*Template          // each view, merged (see mergeViews)
}

// groupSynthesis checks that the templates are one synthesis, each stack once, and groups them by view.
func groupSynthesis(templates []*Template) (*synthesis, error) {
	s := &synthesis{stacks: map[string]string{}, byView: map[viewKey][]*Template{}, kinds: map[viewKey]map[StackKind]bool{}}
	for _, t := range templates {
		if err := s.add(t); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// add files a template under its view, after checking its facts against the templates added before.
func (s *synthesis) add(t *Template) error {
	f, ok := t.Facts()
	if !ok {
		return fmt.Errorf("%s: no %q metadata: not a template synthesized by this app", t.Name, MetadataKey)
	}
	if t.origin == nil && f.StackName != "" {
		if other, dup := s.stacks[f.StackName]; dup {
			return fmt.Errorf("%s and %s are both stack %s: give each stack once (one synthesis at a time)", other, t.Name, f.StackName)
		}
		s.stacks[f.StackName] = t.Name
	}
	if s.first != nil && !sameSynthesis(*s.first, f) {
		return fmt.Errorf("%s belongs to another synthesis (accounts, regions or profile differ): verify one synthesis at a time", t.Name)
	}
	if s.first == nil {
		s.first = &f
	}
	k := viewKey{f.Role, f.Region}
	if s.kinds[k] == nil {
		s.kinds[k] = map[StackKind]bool{}
	}
	s.kinds[k][f.Stack] = true
	for _, sk := range t.kinds { // a view holds several stacks
		s.kinds[k][sk] = true
	}
	s.byView[k] = append(s.byView[k], t)
	s.all = append(s.all, t)
	return nil
}

// sameSynthesis reports whether two templates' facts name the same accounts, regions and profile.
func sameSynthesis(a, b StackFacts) bool {
	return a.WorkloadAccount == b.WorkloadAccount && a.LoggingAccount == b.LoggingAccount && a.Profile == b.Profile &&
		a.HomeRegion == b.HomeRegion && strings.Join(a.GovernedRegions, ",") == strings.Join(b.GovernedRegions, ",")
}

// mergeViews merges the templates of each view into one (see AccountView).
func (s *synthesis) mergeViews() error {
	s.views = map[viewKey]*Template{}
	for k, ts := range s.byView {
		v, err := AccountView(ts)
		if err != nil {
			return err
		}
		s.views[k] = v
	}
	return nil
}

// evaluate runs one control on every template (RoleAny) or on each view its role checks.
func (s *synthesis) evaluate(c Control, complete bool) []Result {
	if c.Role == RoleAny {
		return runOn(c, s.all, nil)
	}
	var results []Result
	var ts []*Template
	for _, k := range s.expected(c.Role) {
		if why := s.unchecked(k); why != "" {
			results = append(results, uncheckedResult(c, why, complete))
			continue
		}
		ts = append(ts, s.views[k])
	}
	return runOn(c, ts, results)
}

// expected returns the views a control of role checks.
func (s *synthesis) expected(role Role) []viewKey {
	if s.first == nil {
		return []viewKey{{role, ""}}
	}
	var out []viewKey
	for _, r := range []Role{RoleLogArchive, RoleWorkload} {
		switch {
		case role == r || role == RoleAccount:
			out = append(out, viewKey{r, s.first.HomeRegion})
		case role == RoleRegion:
			for _, region := range s.first.GovernedRegions {
				out = append(out, viewKey{r, region})
			}
		}
	}
	return out
}

// unchecked returns why view k cannot be checked (it is absent or lacks stacks), or "" when it can.
func (s *synthesis) unchecked(k viewKey) string {
	where := "the " + string(k.role) + " account"
	if s.first != nil && len(s.first.GovernedRegions) > 1 {
		where += " in " + k.region
	}
	if s.views[k] == nil {
		return "no template of " + where + " among the inputs"
	}
	if m := s.missing(k); len(m) > 0 {
		return "the inputs lack the " + strings.Join(m, ", ") + " stack(s) of " + where + ", which is checked whole"
	}
	return ""
}

// missing returns the kinds of stack that view k must hold and does not.
func (s *synthesis) missing(k viewKey) []string {
	want := []StackKind{StackRegionalBaseline}
	if s.first == nil || k.region == s.first.HomeRegion {
		want = nil
		for _, sk := range StackKinds {
			if sk.Role() == k.role {
				want = append(want, sk)
			}
		}
	}
	var out []string
	for _, sk := range want {
		if !s.kinds[k][sk] {
			out = append(out, string(sk))
		}
	}
	return out
}

// uncheckedResult reports a control whose view cannot be checked: skipped, or failed when the inputs must be complete.
func uncheckedResult(c Control, why string, complete bool) Result {
	r := Result{Control: c, Status: Skipped, Note: why}
	if complete {
		r.Status, r.Note, r.Failures = Fail, "", []Failure{{Reason: why}}
	}
	return r
}

// runOn appends to results the verdict of a control on each template.
func runOn(c Control, ts []*Template, results []Result) []Result {
	for _, t := range ts {
		results = append(results, runControl(c, t))
	}
	return results
}

// runControl checks one template with a control, or reports why the control does not apply to it.
func runControl(c Control, t *Template) Result {
	f, _ := t.Facts()
	if c.Compute != "" && f.AppCompute != c.Compute {
		return Result{Control: c, Status: NotApplicable, Template: t.Name, Note: fmt.Sprintf("the app tier runs on %s compute, not %s: this control reads %s shapes only", orNone(f.AppCompute), c.Compute, c.Compute)}
	}
	if c.NotApplicable != nil {
		if why := c.NotApplicable(f); why != "" {
			return Result{Control: c, Status: NotApplicable, Template: t.Name, Note: why}
		}
	}
	r := Result{Control: c, Status: Pass, Template: t.Name, Failures: c.Check(t, f), files: t.files}
	if len(r.Failures) > 0 {
		r.Status = Fail
	}
	return r
}

// inSection fills in what a group of controls shares; a control that names
// its own layer or construct keeps it.
func inSection(layer, construct string, role Role, cs []Control) []Control {
	for i := range cs {
		if cs[i].Layer == "" {
			cs[i].Layer = layer
		}
		if cs[i].Construct == "" {
			cs[i].Construct = construct
		}
		if cs[i].Role == "" {
			cs[i].Role = role
		}
		cs[i].Responsibility = Customer
	}
	return cs
}

// each returns a check that runs check on every resource of type typ, in
// template order. A template without one fails with absent ("" when having
// none is fine: then there is nothing to fail).
func each(typ, absent string, check func(t *Template, f StackFacts, r Resource) []Failure) func(t *Template, f StackFacts) []Failure {
	return func(t *Template, f StackFacts) []Failure {
		rs := t.Resources(typ)
		if len(rs) == 0 && absent != "" {
			return []Failure{{"", absent}}
		}
		var fails []Failure
		for _, r := range rs {
			fails = append(fails, check(t, f, r)...)
		}
		return fails
	}
}
