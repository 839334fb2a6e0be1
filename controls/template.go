package controls

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Template is a synthesized CloudFormation template, kept as plain JSON so
// that intrinsic functions (Ref, Fn::GetAtt, Fn::Join) survive for the checks
// to follow. Name is the file it came from (or the stack's artifact ID).
type Template struct {
	Name string
	Body map[string]any

	// Set on an account view (AccountView): the stack each resource comes
	// from, the stacks each stack deploys after, and the kinds of the stacks
	// merged.
	origin map[string]string
	after  map[string][]string
	kinds  []StackKind
	files  map[string]string // each stack's template file, by the construct ID its resources' paths start with
}

// Resource is one resource of a template.
type Resource struct {
	LogicalID string
	Type      string
	Raw       map[string]any
}

// Properties returns the resource's Properties (never nil).
func (r Resource) Properties() map[string]any {
	p, _ := r.Raw["Properties"].(map[string]any)
	if p == nil {
		return map[string]any{}
	}
	return p
}

// Get follows a path of map keys through the resource's Properties.
func (r Resource) Get(path ...string) (any, bool) { return dig(r.Properties(), path...) }

// String returns the string at path, or "" when absent or not a string.
func (r Resource) String(path ...string) string {
	v, _ := r.Get(path...)
	s, _ := v.(string)
	return s
}

// Bool returns the boolean at path, accepting CloudFormation's "true" too.
func (r Resource) Bool(path ...string) bool {
	v, _ := r.Get(path...)
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

// Path returns the construct path CDK recorded for the resource, for messages.
func (r Resource) Path() string {
	if m, ok := r.Raw["Metadata"].(map[string]any); ok {
		if p, ok := m["aws:cdk:path"].(string); ok {
			return p
		}
	}
	return r.LogicalID
}

// IdentityKey is the key, in a resource's Metadata, under which a construct
// declares what the resource is, so that checks find it by that and never
// by a guess (such as "the one KMS-encrypted bucket").
const IdentityKey = "SecureWebappIdentity"

// Identities that constructs declare.
const (
	// IdentityApplicationBucket is the bucket the application writes to.
	IdentityApplicationBucket = "application-bucket"
	// IdentityS3PrefixList is the custom resource that looks up the S3
	// gateway endpoint's managed prefix list.
	IdentityS3PrefixList = "s3-prefix-list"
	// IdentityAppDatabaseUser is the custom resource that creates the
	// application's database user and its grants.
	IdentityAppDatabaseUser = "app-database-user"
	// IdentityAppRole is the role the app tier's code runs as (an instance
	// role, a task role), which carries the tier's grant table under
	// GrantsKey.
	IdentityAppRole = "app-role"
	// IdentityAppSecurityGroup is the app tier's security group.
	IdentityAppSecurityGroup = "app-security-group"
	// IdentityAppCompute is what runs the app tier's code and registers
	// it with the load balancer's target group (an Auto Scaling group for
	// ComputeEC2).
	IdentityAppCompute = "app-compute"
)

// EmptyOnRollbackType is the type of the custom resource that empties a
// bucket, its property BucketName, when the failed first create of its
// stack rolls back (constructs/emptybucket).
const EmptyOnRollbackType = "Custom::EmptyOnRollback"

// GrantsKey is the key, in the Metadata of the IdentityAppRole role, of the
// app tier's grant table as its construct built the role's policy from it
// (a list of TierGrant).
const GrantsKey = "SecureWebappGrants"

// TierGrant is one row of the app tier's grant table, as recorded on its
// role: the service, the actions, the resource they apply to (as the
// template spells it), the service that calls on the tier's behalf (Via,
// "" for a call the tier makes itself), and why.
type TierGrant struct {
	Sid      string   `json:"Sid"`
	Service  string   `json:"Service"`
	Actions  []string `json:"Actions"`
	Resource any      `json:"Resource"`
	Via      string   `json:"Via,omitempty"`
	Why      string   `json:"Why"`
}

// Map renders the row as resource metadata.
func (g TierGrant) Map() map[string]any {
	b, _ := json.Marshal(g)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// ComputeEC2 is the compute kind of the app tier shipped: EC2 instances of
// an Auto Scaling group, from a launch template (StackFacts.AppCompute). A
// control that reads that kind's shapes says so (Control.Compute).
const ComputeEC2 = "ec2"

// Identity returns what the resource's construct declared it to be, or "".
func (r Resource) Identity() string {
	s, _ := dig(r.Raw, "Metadata", IdentityKey)
	id, _ := s.(string)
	return id
}

// Attribute returns a resource attribute such as DeletionPolicy.
func (r Resource) Attribute(name string) string {
	s, _ := r.Raw[name].(string)
	return s
}

func dig(v any, path ...string) (any, bool) {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// Resources returns the template's resources of the given type, in logical-ID
// order.
func (t *Template) Resources(typ string) []Resource {
	var out []Resource
	for _, r := range t.all() {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// all returns every resource of the template, in logical-ID order.
func (t *Template) all() []Resource {
	rs, _ := t.Body["Resources"].(map[string]any)
	ids := make([]string, 0, len(rs))
	for id := range rs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]Resource, 0, len(ids))
	for _, id := range ids {
		if r, ok := t.Resource(id); ok && r.Raw != nil {
			out = append(out, r)
		}
	}
	return out
}

// Declared returns the resources whose constructs declared them to be
// identity, in logical-ID order.
func (t *Template) Declared(identity string) []Resource {
	var out []Resource
	for _, r := range t.all() {
		if r.Identity() == identity {
			out = append(out, r)
		}
	}
	return out
}

// Resource returns the resource with the given logical ID.
func (t *Template) Resource(id string) (Resource, bool) {
	all, _ := t.Body["Resources"].(map[string]any)
	raw, ok := all[id].(map[string]any)
	if !ok {
		return Resource{}, false
	}
	tp, _ := raw["Type"].(string)
	return Resource{LogicalID: id, Type: tp, Raw: raw}, true
}

// Facts returns the stack facts that the app wrote into the template's
// metadata, or false when the template carries none (it is not ours).
func (t *Template) Facts() (StackFacts, bool) {
	m, ok := dig(t.Body, "Metadata", MetadataKey)
	if !ok {
		return StackFacts{}, false
	}
	b, err := json.Marshal(m)
	if err != nil {
		return StackFacts{}, false
	}
	var f StackFacts
	if json.Unmarshal(b, &f) != nil || f.Role == "" {
		return StackFacts{}, false
	}
	return f, true
}

// RefTarget returns the logical ID that v points at through Ref or
// Fn::GetAtt, if it does.
func RefTarget(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", false
	}
	if id, ok := m["Ref"].(string); ok {
		return id, true
	}
	if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
		id, ok := ga[0].(string)
		return id, ok
	}
	if ga, ok := m["Fn::GetAtt"].(string); ok && strings.Contains(ga, ".") { // the short "Id.Attr" form
		return ga[:strings.Index(ga, ".")], true
	}
	return "", false
}

// RefTargetOr returns the logical ID that v points at, or "" when it points
// at none.
func RefTargetOr(v any) string {
	id, _ := RefTarget(v)
	return id
}

// Clone returns a deep copy: account views merge copies, and tests weaken
// copies.
func (t *Template) Clone() *Template {
	body, _ := deepCopy(t.Body).(map[string]any)
	return &Template{Name: t.Name, Body: body, origin: t.origin, after: t.after, kinds: t.kinds, files: t.files}
}

// deepCopy copies a decoded JSON value (maps, slices, strings, numbers,
// booleans, null) without encoding it. A value of any other type, such as
// a []string a test put in, is copied through JSON, which also turns it
// into what decoding a template gives.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = deepCopy(x)
		}
		return s
	case string, float64, bool, nil:
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // a value put in a template always encodes
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// ParseTemplate decodes one template.
func ParseTemplate(name string, data []byte) (*Template, error) {
	var body map[string]any
	if err := json.Unmarshal(data, &body); err != nil {
		return nil, fmt.Errorf("%s: not a JSON CloudFormation template: %w", name, err)
	}
	if _, ok := body["Resources"].(map[string]any); !ok {
		return nil, fmt.Errorf("%s: not a CloudFormation template (no Resources)", name)
	}
	return &Template{Name: name, Body: body}, nil
}

// LoadPaths reads templates from paths: each is a cloud assembly directory
// (cdk.out, whose *.template.json files are read) or a template file.
func LoadPaths(paths []string) ([]*Template, error) {
	var out []*Template
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		files := []string{p}
		if st.IsDir() {
			if files, err = assemblyTemplates(p); err != nil {
				return nil, err
			}
			if len(files) == 0 {
				return nil, fmt.Errorf("%s: no *.template.json files (run make synth first?)", p)
			}
			sort.Strings(files)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			t, err := ParseTemplate(f, data)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// assemblyTemplates returns the template files of a directory: those of the
// stacks its manifest.json lists when it is a cloud assembly (cdk synth
// leaves the templates of stacks that no longer exist), else every
// *.template.json.
func assemblyTemplates(dir string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if os.IsNotExist(err) {
		return filepath.Glob(filepath.Join(dir, "*.template.json"))
	}
	if err != nil {
		return nil, err
	}
	var m struct {
		Artifacts map[string]struct {
			Type       string `json:"type"`
			Properties struct {
				TemplateFile string `json:"templateFile"`
			} `json:"properties"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	var files []string
	for _, a := range m.Artifacts {
		if a.Type == "aws:cloudformation:stack" {
			files = append(files, filepath.Join(dir, a.Properties.TemplateFile))
		}
	}
	return files, nil
}
