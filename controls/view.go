package controls

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// AccountView merges the templates of one account into one template: the
// account as it stands once every stack is deployed. Each cross-stack
// reference (Fn::ImportValue, the strong reference cdk.json's
// defaultCrossStackReferences asks for, or Fn::GetStackOutput, the weak
// one) is replaced by the value of the output it reads in the producing
// template, so a reference across stacks reads like one within a stack, and a logical ID
// that two stacks both use is renamed in the later one (with every Ref,
// Fn::GetAtt, Fn::Sub and DependsOn to it). The view also remembers which
// stack each resource came from and the order the stacks deploy in, for
// After. A single template is returned as it is (with that order known).
func AccountView(ts []*Template) (*Template, error) {
	if len(ts) == 0 {
		return nil, fmt.Errorf("no templates to merge")
	}
	if len(ts) == 1 && ts[0].origin != nil {
		return ts[0], nil // a view already
	}
	ts = append([]*Template(nil), ts...)
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
	facts := make([]StackFacts, len(ts))
	for i, t := range ts {
		facts[i], _ = t.Facts()
	}
	view := newView()
	exports, outputs := map[string]any{}, map[string]any{}
	for i, t := range ts {
		c := t.Clone()
		view.addStack(c, facts[i])
		collectOutputs(c.Body, facts[i].StackName, exports, outputs)
		if i == 0 {
			view.Body["Metadata"] = c.Body["Metadata"]
		}
	}
	view.Body["Resources"] = resolveImports(view.Body["Resources"], exports, outputs)
	view.Name = viewName(ts, facts[0].Role)
	return view, nil
}

// newView returns an empty account view.
func newView() *Template {
	return &Template{
		Body:   map[string]any{"Resources": map[string]any{}, "Parameters": map[string]any{}},
		origin: map[string]string{},
		after:  map[string][]string{},
		files:  map[string]string{},
	}
}

// addStack merges a copy of one stack's template into the view, renaming the copy's logical IDs that the view already holds.
func (view *Template) addStack(c *Template, f StackFacts) {
	stack := f.StackName
	view.after[stack] = f.DeploysAfter
	view.kinds = append(view.kinds, f.Stack)
	view.renameClashes(c.Body, stack)
	rs, _ := c.Body["Resources"].(map[string]any)
	for id, r := range rs {
		view.Body["Resources"].(map[string]any)[id] = r
		view.origin[id] = stack
		if p := (Resource{Raw: mapOf(r)}).Path(); strings.Contains(p, "/") {
			view.files[p[:strings.Index(p, "/")]] = c.Name
		}
	}
	for k, v := range mapOf(c.Body["Parameters"]) {
		view.Body["Parameters"].(map[string]any)[k] = v
	}
}

// renameClashes renames, throughout a stack's template body, each logical ID that the view already holds.
func (view *Template) renameClashes(body map[string]any, stack string) {
	rs, _ := body["Resources"].(map[string]any)
	for id := range rs {
		if _, taken := view.origin[id]; taken {
			to := id + "In" + pascalName(stack)
			for n := 2; view.origin[to] != "" || rs[to] != nil; n++ {
				to = fmt.Sprintf("%sIn%s%d", id, pascalName(stack), n)
			}
			renameResource(body, id, to)
		}
	}
}

// collectOutputs records the value of each output of a stack's template, by "stack/ID" and by export name.
func collectOutputs(body map[string]any, stack string, exports, outputs map[string]any) {
	for id, o := range mapOf(body["Outputs"]) {
		outputs[stack+"/"+id] = mapOf(o)["Value"]
		if name, ok := dig(o, "Export", "Name"); ok {
			if n, ok := name.(string); ok {
				exports[n] = mapOf(o)["Value"]
			}
		}
	}
}

// viewName names a view after its one template, or after its role and its templates' files.
func viewName(ts []*Template, role Role) string {
	if len(ts) == 1 {
		return ts[0].Name
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = filepath.Base(t.Name)
	}
	return string(role) + " account (" + strings.Join(names, ", ") + ")"
}

// resolveImports replaces every {"Fn::ImportValue": name} whose export is
// known, and every {"Fn::GetStackOutput": {StackName, OutputName}} whose
// output is known, by the output's value.
func resolveImports(v any, exports, outputs map[string]any) any {
	switch v := v.(type) {
	case map[string]any:
		if name, ok := v["Fn::ImportValue"].(string); ok && len(v) == 1 {
			if val, ok := exports[name]; ok {
				return deepCopy(val) // each import site its own, for tests that edit one
			}
		}
		if ref, ok := v["Fn::GetStackOutput"].(map[string]any); ok && len(v) == 1 {
			stack, _ := ref["StackName"].(string)
			output, _ := ref["OutputName"].(string)
			if val, ok := outputs[stack+"/"+output]; ok {
				return deepCopy(val)
			}
		}
		for k, x := range v {
			v[k] = resolveImports(x, exports, outputs)
		}
	case []any:
		for i, x := range v {
			v[i] = resolveImports(x, exports, outputs)
		}
	}
	return v
}

var reSubRef = regexp.MustCompile(`\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}`)

// renameResource renames a logical ID throughout a template body.
func renameResource(body map[string]any, from, to string) {
	rs := mapOf(body["Resources"])
	rs[to] = rs[from]
	delete(rs, from)
	for _, r := range rs {
		res := mapOf(r)
		renameDependsOn(res, from, to)
		renameRefs(res, from, to)
	}
	for _, o := range mapOf(body["Outputs"]) {
		renameRefs(o, from, to)
	}
}

// renameDependsOn renames a logical ID in a resource's DependsOn.
func renameDependsOn(res map[string]any, from, to string) {
	switch d := res["DependsOn"].(type) {
	case string:
		if d == from {
			res["DependsOn"] = to
		}
	case []any:
		for i, x := range d {
			if x == from {
				d[i] = to
			}
		}
	}
}

// renameRefs renames a logical ID in every Ref, Fn::GetAtt and Fn::Sub within v, in place.
func renameRefs(v any, from, to string) any {
	switch v := v.(type) {
	case map[string]any:
		renameIntrinsics(v, from, to)
		for k, x := range v {
			v[k] = renameRefs(x, from, to)
		}
	case []any:
		for i, x := range v {
			v[i] = renameRefs(x, from, to)
		}
	}
	return v
}

// renameIntrinsics renames a logical ID in the Ref, Fn::GetAtt and Fn::Sub of one map (not below it).
func renameIntrinsics(v map[string]any, from, to string) {
	if r, ok := v["Ref"].(string); ok && r == from {
		v["Ref"] = to
	}
	if ga, ok := v["Fn::GetAtt"].([]any); ok && len(ga) == 2 && ga[0] == from {
		ga[0] = to
	}
	if ga, ok := v["Fn::GetAtt"].(string); ok && strings.HasPrefix(ga, from+".") {
		v["Fn::GetAtt"] = to + strings.TrimPrefix(ga, from)
	}
	switch x := v["Fn::Sub"].(type) {
	case string:
		v["Fn::Sub"] = renameInSub(x, from, to)
	case []any:
		if len(x) == 2 {
			if _, shadowed := mapOf(x[1])[from]; shadowed {
				return // a variable of Fn::Sub's map shadows the resource
			}
		}
		if len(x) > 0 {
			if s, ok := x[0].(string); ok {
				x[0] = renameInSub(s, from, to)
			}
		}
	}
}

// renameInSub renames a logical ID in the ${ID} and ${ID.Attribute} references of an Fn::Sub string.
func renameInSub(s, from, to string) string {
	return reSubRef.ReplaceAllStringFunc(s, func(m string) string {
		if g := reSubRef.FindStringSubmatch(m); g[1] == from {
			return "${" + to + g[2] + "}"
		}
		return m
	})
}

// pascalName turns a stack name such as "secure-webapp-data" into "SecureWebappData".
func pascalName(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if r == '-' || r == '_' || r == '.' {
			up = true
			continue
		}
		if up {
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Stack returns the CloudFormation name of the stack a resource of the view
// comes from ("" for a template that is not a view).
func (t *Template) Stack(id string) string { return t.origin[id] }

// After reports whether CloudFormation creates resource a only once
// resource b exists: a depends on b through DependsOn, Ref, Fn::GetAtt or
// Fn::Sub, directly or through other resources, or a's stack deploys after
// b's stack (directly or through other stacks).
func (t *Template) After(a, b string) bool {
	seen := map[string]bool{}
	queue := []string{a}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if seen[id] {
			continue
		}
		seen[id] = true
		if id != a && id == b {
			return true
		}
		if t.stackAfter(t.origin[id], t.origin[b], map[string]bool{}) {
			return true
		}
		r, ok := t.Resource(id)
		if !ok {
			continue
		}
		queue = append(queue, directDependencies(r)...)
	}
	return false
}

func (t *Template) stackAfter(a, b string, seen map[string]bool) bool {
	if a == "" || b == "" || seen[a] {
		return false
	}
	seen[a] = true
	for _, s := range t.after[a] {
		if s == b || t.stackAfter(s, b, seen) {
			return true
		}
	}
	return false
}

// directDependencies are the logical IDs a resource names in DependsOn or
// refers to in its Properties (Ref, Fn::GetAtt, Fn::Sub).
func directDependencies(r Resource) []string {
	var out []string
	switch d := r.Raw["DependsOn"].(type) {
	case string:
		out = append(out, d)
	case []any:
		for _, x := range d {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	out = append(out, refsIn(r.Raw["Properties"])...)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if sub, ok := v["Fn::Sub"]; ok {
				s, _ := sub.(string)
				if l, ok := sub.([]any); ok && len(l) > 0 {
					s, _ = l[0].(string)
				}
				for _, m := range reSubRef.FindAllStringSubmatch(s, -1) {
					out = append(out, m[1])
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(r.Raw["Properties"])
	return out
}
