package api

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// The OpenAPI description is kept in parts, one file per feature under openapi/:
// 00-base.yaml holds the info, servers and shared components, and each other file
// adds its paths and schemas. They are merged once into the document served at
// /openapi.yaml; a test checks that its operations and the router's routes agree.
//
//go:embed openapi/*.yaml
var openapiFiles embed.FS

var openapiDoc = sync.OnceValues(buildOpenAPI)

// buildOpenAPI merges the parts into one document.
func buildOpenAPI() ([]byte, error) {
	names, err := fs.Glob(openapiFiles, "openapi/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	doc := map[string]any{}
	for _, name := range names {
		b, err := openapiFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var part map[string]any
		if err := yaml.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("parsing %s: %w", name, err)
		}
		if err := mergeInto(doc, part, name); err != nil {
			return nil, err
		}
	}
	return yaml.Marshal(doc)
}

// mergeInto adds part's keys to doc, descending into maps; a key defined twice with
// a scalar value is an error, so two parts cannot silently disagree.
func mergeInto(doc, part map[string]any, where string) error {
	for k, v := range part {
		old, exists := doc[k]
		if !exists {
			doc[k] = v
			continue
		}
		om, ok1 := old.(map[string]any)
		nm, ok2 := v.(map[string]any)
		if !ok1 || !ok2 {
			return fmt.Errorf("%s: %q is defined twice", where, k)
		}
		if err := mergeInto(om, nm, where+"."+k); err != nil {
			return err
		}
	}
	return nil
}

// Operations lists the "METHOD /path" pairs that the OpenAPI description documents.
func Operations() ([]string, error) {
	b, err := openapiDoc()
	if err != nil {
		return nil, err
	}
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	var ops []string
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "patch", "delete":
				ops = append(ops, strings.ToUpper(method)+" "+path)
			}
		}
	}
	sort.Strings(ops)
	return ops, nil
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	b, err := openapiDoc()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	_, err = w.Write(b)
	return err
}

// docOperation is one operation as the /docs page shows it.
type docOperation struct {
	Method, Path, Summary, Description string
	Tag                                string
	Responses                          []string
}

var docsPage = template.Must(template.New("docs").Funcs(template.FuncMap{
	"text": inlineCode}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Yiyun Console API</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h2{border-bottom:1px solid #ddd;padding-bottom:.3rem;margin-top:2rem}
.op{margin:.6rem 0;padding:.5rem .8rem;border-left:4px solid #4a7;background:#f7f9f8}
.m{font-weight:bold;font-family:monospace;display:inline-block;width:4.5rem}
code{font-family:monospace}.d{color:#555;margin:.3rem 0 0 4.5rem;white-space:pre-wrap}
.r{color:#777;margin-left:4.5rem;font-size:.9em}
</style></head><body>
<h1>Yiyun Console API</h1>
<p>{{text .Description}}</p>
<p>The machine-readable description is at <a href="/openapi.yaml">/openapi.yaml</a>.</p>
{{range .Groups}}<h2>{{.Tag}}</h2>
{{range .Ops}}<div class="op"><span class="m">{{.Method}}</span><code>{{.Path}}</code>
{{if .Summary}} — {{text .Summary}}{{end}}
{{if .Description}}<div class="d">{{text .Description}}</div>{{end}}
<div class="r">responses: {{range .Responses}}{{.}} {{end}}</div></div>
{{end}}{{end}}</body></html>`))

// inlineCode escapes a description for HTML and shows its `code` spans as code.
func inlineCode(s string) template.HTML {
	parts := strings.Split(s, "`")
	var b strings.Builder
	for i, p := range parts {
		esc := template.HTMLEscapeString(p)
		switch {
		case i%2 == 0:
			b.WriteString(esc)
		case i == len(parts)-1: // an opening backtick without its closing one
			b.WriteString("`" + esc)
		default:
			b.WriteString("<code>" + esc + "</code>")
		}
	}
	return template.HTML(b.String())
}

type docGroup struct {
	Tag string
	Ops []docOperation
}

// docs renders the OpenAPI description as a page that needs nothing from outside.
func (s *Server) docs(w http.ResponseWriter, r *http.Request) error {
	b, err := openapiDoc()
	if err != nil {
		return err
	}
	var doc struct {
		Info struct {
			Description string `yaml:"description"`
		} `yaml:"info"`
		Paths map[string]map[string]struct {
			Summary     string         `yaml:"summary"`
			Description string         `yaml:"description"`
			Tags        []string       `yaml:"tags"`
			Responses   map[string]any `yaml:"responses"`
		} `yaml:"paths"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return err
	}
	groups := map[string][]docOperation{}
	for path, item := range doc.Paths {
		for method, op := range item {
			tag := "Other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			var codes []string
			for c := range op.Responses {
				codes = append(codes, c)
			}
			sort.Strings(codes)
			groups[tag] = append(groups[tag], docOperation{
				Method: strings.ToUpper(method), Path: path, Summary: op.Summary,
				Description: op.Description, Tag: tag, Responses: codes,
			})
		}
	}
	var data struct {
		Description string
		Groups      []docGroup
	}
	data.Description = doc.Info.Description
	for tag, ops := range groups {
		sort.Slice(ops, func(i, j int) bool {
			if ops[i].Path != ops[j].Path {
				return ops[i].Path < ops[j].Path
			}
			return ops[i].Method < ops[j].Method
		})
		data.Groups = append(data.Groups, docGroup{Tag: tag, Ops: ops})
	}
	sort.Slice(data.Groups, func(i, j int) bool { return data.Groups[i].Tag < data.Groups[j].Tag })
	var buf bytes.Buffer
	if err := docsPage.Execute(&buf, data); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write(buf.Bytes())
	return err
}
