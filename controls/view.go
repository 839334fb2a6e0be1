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
	view := &Template{
		Body:   map[string]any{"Resources": map[string]any{}, "Parameters": map[string]any{}},
		origin: map[string]string{},
		after:  map[string][]string{},
		files:  map[string]string{},
	}
	var names []string
	exports, outputs := map[string]any{}, map[string]any{}
	for i, t := range ts {
		c := t.Clone()
		stack := facts[i].StackName
		names = append(names, t.Name)
		view.after[stack] = facts[i].DeploysAfter
		view.kinds = append(view.kinds, facts[i].Stack)
		rs, _ := c.Body["Resources"].(map[string]any)
		for id := range rs {
			if _, taken := view.origin[id]; taken {
				to := id + "In" + pascalName(stack)
				for n := 2; view.origin[to] != "" || rs[to] != nil; n++ {
					to = fmt.Sprintf("%sIn%s%d", id, pascalName(stack), n)
				}
				renameResource(c.Body, id, to)
			}
		}
		rs, _ = c.Body["Resources"].(map[string]any)
		for id, r := range rs {
			view.Body["Resources"].(map[string]any)[id] = r
			view.origin[id] = stack
			if p := (Resource{Raw: mapOf(r)}).Path(); strings.Contains(p, "/") {
				view.files[p[:strings.Index(p, "/")]] = t.Name
			}
		}
		for k, v := range mapOf(c.Body["Parameters"]) {
			view.Body["Parameters"].(map[string]any)[k] = v
		}
		for id, o := range mapOf(c.Body["Outputs"]) {
			outputs[stack+"/"+id] = mapOf(o)["Value"]
			if name, ok := dig(o, "Export", "Name"); ok {
				if n, ok := name.(string); ok {
					exports[n] = mapOf(o)["Value"]
				}
			}
		}
		if i == 0 {
			view.Body["Metadata"] = c.Body["Metadata"]
		}
	}
	view.Body["Resources"] = resolveImports(view.Body["Resources"], exports, outputs)
	view.Name = ts[0].Name
	if len(ts) > 1 {
		for i := range names {
			names[i] = filepath.Base(names[i])
		}
		view.Name = string(facts[0].Role) + " account (" + strings.Join(names, ", ") + ")"
	}
	return view, nil
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
	var walk func(v any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			if r, ok := v["Ref"].(string); ok && r == from {
				v["Ref"] = to
			}
			if ga, ok := v["Fn::GetAtt"].([]any); ok && len(ga) == 2 && ga[0] == from {
				ga[0] = to
			}
			if ga, ok := v["Fn::GetAtt"].(string); ok && strings.HasPrefix(ga, from+".") {
				v["Fn::GetAtt"] = to + strings.TrimPrefix(ga, from)
			}
			if sub, ok := v["Fn::Sub"]; ok {
				locals := map[string]bool{} // the variables of Fn::Sub's map shadow resources
				if x, ok := sub.([]any); ok && len(x) == 2 {
					for k := range mapOf(x[1]) {
						locals[k] = true
					}
				}
				rename := func(s string) string {
					return reSubRef.ReplaceAllStringFunc(s, func(m string) string {
						if g := reSubRef.FindStringSubmatch(m); g[1] == from && !locals[g[1]] {
							return "${" + to + g[2] + "}"
						}
						return m
					})
				}
				switch x := sub.(type) {
				case string:
					v["Fn::Sub"] = rename(x)
				case []any:
					if len(x) > 0 {
						if s, ok := x[0].(string); ok {
							x[0] = rename(s)
						}
					}
				}
			}
			for k, x := range v {
				v[k] = walk(x)
			}
		case []any:
			for i, x := range v {
				v[i] = walk(x)
			}
		}
		return v
	}
	for _, r := range rs {
		res := mapOf(r)
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
		walk(res)
	}
	for _, o := range mapOf(body["Outputs"]) {
		walk(o)
	}
}

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
