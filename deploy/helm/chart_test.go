// Package helm checks the newsmon chart (newsmon/): helm's own lint, then
// every manifest `helm template` would render, for several sets of values,
// decoded strictly into the Kubernetes API types (an unknown or misspelt
// field is an error), then what the manifests must say for the services to
// run: non-root pods, probes on the ops port, the NATS users and inboxes of
// deploy/nats, settings every binary really reads, and ConfigMaps the
// binaries accept.
package helm

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/conf"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	"helm.sh/helm/v3/pkg/releaseutil"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/validation"

	"newsmon/deploy/internal/gobuild"
)

const chartDir = "newsmon"

// kubeVersion is the Kubernetes release of the API types the manifests are
// decoded into (k8s.io/api v0.37). Helm as a library, or built without its
// release flags, says 1.20, below the chart's kubeVersion floor.
var kubeVersion = &chartutil.KubeVersion{Version: "v1.37.0", Major: "1", Minor: "37"}

// bins holds the commands built from the main module, to ask each which
// variables it reads and to check the ConfigMaps the chart renders.
var bins struct {
	dir, root string
	err       error
}

func TestMain(m *testing.M) {
	code := func() int {
		dir, err := os.MkdirTemp("", "newsmon-chart-test-")
		if err != nil {
			bins.err = err
			return m.Run()
		}
		defer os.RemoveAll(dir)
		bins.dir = dir
		if bins.root, bins.err = gobuild.Root("."); bins.err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			bins.err = gobuild.Build(ctx, gobuild.Options{Root: bins.root, Out: dir})
			cancel()
		}
		return m.Run()
	}()
	os.Exit(code)
}

func binary(t *testing.T, name string) string {
	t.Helper()
	if bins.err != nil {
		t.Fatalf("building the commands: %v", bins.err)
	}
	return filepath.Join(bins.dir, name)
}

// Values every install needs: the desk's login Secret has no default.
func required() map[string]any {
	return map[string]any{"desk": map[string]any{"auth": map[string]any{"secretName": "newsmon-desk"}}}
}

// everything turns every option on: credentials files, a private CA, the
// repository's rules and feed list and a sink in ConfigMaps, a persistent
// desk index behind an ingress, more replicas, extra settings.
func everything(t *testing.T) map[string]any {
	rules := map[string]any{}
	files, _ := filepath.Glob(filepath.Join(repoRoot(t), "rules", "*.yaml"))
	for _, f := range files {
		rules[filepath.Base(f)] = readFile(t, f)
	}
	if len(rules) == 0 {
		t.Fatal("no rule files in the repository")
	}
	return map[string]any{
		"image": map[string]any{"repository": "registry.example.com/newsmon", "digest": "sha256:" + strings.Repeat("ab", 32)},
		"nats": map[string]any{
			"url":  "tls://nats-0.nats:4222,tls://nats-1.nats:4222,tls://nats-2.nats:4222",
			"auth": map[string]any{"type": "creds", "secretName": "newsmon-nats-creds"},
			"tls":  map[string]any{"caSecret": "nats-ca"},
		},
		"setup":  map[string]any{"replicas": 3, "env": map[string]any{"NEWSMON_ALERTS_MAX_AGE": "1440h", "NEWSMON_ARTICLES_MAX_MIB": 4096}},
		"feeds":  map[string]any{"fileName": "feeds.txt", "content": readFile(t, filepath.Join(repoRoot(t), "deploy", "feeds.txt"))},
		"rules":  map[string]any{"files": rules},
		"ingest": map[string]any{"replicas": 3, "env": map[string]any{"INGEST_WORKERS": 16, "INGEST_INTERVAL": "10m"}},
		"tagger": map[string]any{"replicas": 4, "extraEnv": []any{map[string]any{"name": "TAGGER_WORKERS", "value": "8"}}},
		"desk": map[string]any{
			"auth":    map[string]any{"secretName": "newsmon-desk"},
			"index":   map[string]any{"persistence": map[string]any{"enabled": true, "storageClassName": "fast"}},
			"ingress": map[string]any{"enabled": true, "className": "nginx", "tlsSecretName": "desk-tls"},
		},
		"notify": map[string]any{
			"deskURL":       "https://desk.example.com",
			"secretEnvFrom": []any{"newsmon-sinks"},
			"sinks": map[string]any{"sinks": []any{map[string]any{
				"name":     "soc-hook",
				"subjects": []any{"alerts.cloud.>"},
				"webhook":  map[string]any{"url": map[string]any{"env": "SOC_HOOK_URL"}, "secret": map[string]any{"env": "SOC_HOOK_SECRET"}},
			}}},
		},
	}
}

// minimal runs only the pipeline, on a server without authorisation.
func minimal() map[string]any {
	return map[string]any{
		"nats":   map[string]any{"auth": map[string]any{"type": "none"}},
		"desk":   map[string]any{"enabled": false},
		"notify": map[string]any{"enabled": false},
		"setup":  map[string]any{"enabled": false},
	}
}

// External names the values above refer to and the chart does not make.
var externalSecrets = []string{"newsmon-nats", "newsmon-nats-creds", "nats-ca", "newsmon-desk", "desk-tls", "newsmon-sinks"}

func TestLint(t *testing.T) {
	for name, vals := range map[string]map[string]any{
		"defaults":   nil, // helm lint as an operator would first run it
		"required":   required(),
		"everything": everything(t),
		"minimal":    minimal(),
	} {
		t.Run(name, func(t *testing.T) {
			l := lint.AllWithKubeVersion(chartDir, vals, "news", kubeVersion)
			for _, m := range l.Messages {
				if m.Severity >= support.WarningSev {
					t.Error(m) // helm lint --strict fails on warnings too
				} else {
					t.Log(m)
				}
			}
		})
	}
}

func TestRenderDefaults(t *testing.T) {
	r := render(t, required())
	check(t, r, required())
	for _, want := range []string{"Deployment/nm-newsmon-ingest", "Deployment/nm-newsmon-tagger", "Deployment/nm-newsmon-desk",
		"Deployment/nm-newsmon-notify", "Service/nm-newsmon-desk", "Job/nm-newsmon-setup", "ConfigMap/nm-newsmon-sinks",
		"PodDisruptionBudget/nm-newsmon-tagger"} {
		if _, ok := r.objects[want]; !ok {
			t.Errorf("no %s among %v", want, slices.Sorted(maps.Keys(r.objects)))
		}
	}
	// The defaults use the image's rules and feed list and need no claim.
	for _, absent := range []string{"ConfigMap/nm-newsmon-rules", "ConfigMap/nm-newsmon-feeds", "PersistentVolumeClaim/nm-newsmon-desk-index",
		"Ingress/nm-newsmon-desk", "PodDisruptionBudget/nm-newsmon-ingest"} {
		if _, ok := r.objects[absent]; ok {
			t.Errorf("%s rendered with the default values", absent)
		}
	}
	if !slices.Equal(r.hooks, []string{"ConfigMap/nm-newsmon-setup-sinks", "Job/nm-newsmon-setup"}) {
		t.Errorf("hooks %v, want the setup Job's sinks file, then the Job", r.hooks)
	}
	job := r.objects["Job/nm-newsmon-setup"].(*batchv1.Job)
	if got := job.Annotations["helm.sh/hook"]; got != "pre-install,pre-upgrade" {
		t.Errorf("setup hook %q, want pre-install,pre-upgrade", got)
	}
	c := job.Spec.Template.Spec.Containers[0]
	if !slices.Equal(c.Command, []string{"newsmon", "setup"}) {
		t.Errorf("setup command %q", c.Command)
	}
	if job.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("setup restart policy %s", job.Spec.Template.Spec.RestartPolicy)
	}
	if r.notes == "" {
		t.Error("NOTES.txt rendered empty")
	}
}

func TestRenderEverything(t *testing.T) {
	vals := everything(t)
	r := render(t, vals)
	check(t, r, vals)
	for _, want := range []string{"ConfigMap/nm-newsmon-rules", "ConfigMap/nm-newsmon-feeds", "PersistentVolumeClaim/nm-newsmon-desk-index",
		"Ingress/nm-newsmon-desk", "PodDisruptionBudget/nm-newsmon-ingest", "PodDisruptionBudget/nm-newsmon-tagger"} {
		if _, ok := r.objects[want]; !ok {
			t.Errorf("no %s", want)
		}
	}
	ing := r.objects["Deployment/nm-newsmon-ingest"].(*appsv1.Deployment)
	if got := ing.Spec.Template.Spec.Containers[0].Image; got != "registry.example.com/newsmon@sha256:"+strings.Repeat("ab", 32) {
		t.Errorf("image %q, want the digest", got)
	}
	if *ing.Spec.Replicas != 3 {
		t.Errorf("ingest replicas %d", *ing.Spec.Replicas)
	}
	desk := r.objects["Deployment/nm-newsmon-desk"].(*appsv1.Deployment)
	if desk.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("desk on a ReadWriteOnce claim rolls with %q, want Recreate", desk.Spec.Strategy.Type)
	}
	// Credentials files: NATS_CREDS names the mounted key, no user or password.
	env := envOf(ing.Spec.Template.Spec.Containers[0])
	if env["NATS_CREDS"] != "/etc/newsmon/nats/ingest" || env["NATS_USER"] != "" || env["NATS_PASSWORD"] != "" {
		t.Errorf("creds auth: NATS_CREDS %q NATS_USER %q NATS_PASSWORD %q", env["NATS_CREDS"], env["NATS_USER"], env["NATS_PASSWORD"])
	}
	if env["SSL_CERT_DIR"] != "/etc/newsmon/nats-ca" {
		t.Errorf("SSL_CERT_DIR %q with a NATS CA", env["SSL_CERT_DIR"])
	}
	// The ConfigMaps' files are what the binaries accept.
	dir := t.TempDir()
	for cm, run := range map[string]func(dir string) []string{
		"ConfigMap/nm-newsmon-rules": func(d string) []string { return []string{"tagger", "check", "-rules", d} },
		"ConfigMap/nm-newsmon-feeds": func(d string) []string {
			return []string{"ingest", "feeds", "export", "-feeds", filepath.Join(d, "feeds.txt")}
		},
		"ConfigMap/nm-newsmon-sinks": func(d string) []string { return []string{"notify", "check", "-sinks", filepath.Join(d, "sinks.yaml")} },
	} {
		d := filepath.Join(dir, strings.TrimPrefix(cm, "ConfigMap/"))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for k, v := range r.objects[cm].(*corev1.ConfigMap).Data {
			if err := os.WriteFile(filepath.Join(d, k), []byte(v), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		args := run(d)
		cmd := exec.Command(binary(t, args[0]), args[1:]...)
		cmd.Env = append(os.Environ(), "SOC_HOOK_URL=https://hooks.example.com/soc", "SOC_HOOK_SECRET=whsec_"+base64.StdEncoding.EncodeToString(make([]byte, 32)))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %s: %v\n%s", cm, strings.Join(args, " "), err, out)
		}
	}
	// The ConfigMaps hold the repository's files byte for byte.
	want := map[string]string{"feeds.txt": vals["feeds"].(map[string]any)["content"].(string)}
	for name, body := range vals["rules"].(map[string]any)["files"].(map[string]any) {
		want[name] = body.(string)
	}
	for name, body := range want {
		cm := "ConfigMap/nm-newsmon-rules"
		if name == "feeds.txt" {
			cm = "ConfigMap/nm-newsmon-feeds"
		}
		if got := r.objects[cm].(*corev1.ConfigMap).Data[name]; got != body {
			i := 0
			for i < len(got) && i < len(body) && got[i] == body[i] {
				i++
			}
			t.Errorf("%s: %s differs from the repository's at byte %d of %d: %q", cm, name, i, len(body), got[max(0, i-40):])
		}
	}
}

// A sinks file given whole (--set-file notify.sinks=FILE) is kept as it is,
// and notify accepts it.
func TestSinksFile(t *testing.T) {
	file := "# our sinks\nsinks:\n  - name: chat\n    subjects: [alerts.watch.>]\n    slack:\n      url: {env: SLACK_WEBHOOK_URL}\n"
	vals := merge(required(), map[string]any{"notify": map[string]any{"sinks": file}})
	r := render(t, vals)
	check(t, r, vals)
	got := r.objects["ConfigMap/nm-newsmon-sinks"].(*corev1.ConfigMap).Data["sinks.yaml"]
	if got != file {
		t.Fatalf("sinks.yaml = %q, want the file as given", got)
	}
	path := filepath.Join(t.TempDir(), "sinks.yaml")
	if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary(t, "notify"), "check", "-sinks", path)
	cmd.Env = append(os.Environ(), "SLACK_WEBHOOK_URL=https://hooks.example.com/chat")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("notify check: %v\n%s", err, out)
	}
}

// The setup Job writes notify's sink consumers from the sinks file notify
// reads: the Job gets the same file (a copy made as a hook just before it,
// since a pre-install hook runs before the release's own ConfigMaps exist;
// or the operator's own ConfigMap) on the path NEWSMON_SINKS names, and
// none of the sinks' secrets. Without notify it gets no sinks file.
func TestSetupJobGetsTheSinks(t *testing.T) {
	jobSinks := func(t *testing.T, r *rendered) (cm, path string) {
		t.Helper()
		job := r.objects["Job/nm-newsmon-setup"].(*batchv1.Job)
		c := job.Spec.Template.Spec.Containers[0]
		path = envOf(c)["NEWSMON_SINKS"]
		if len(c.EnvFrom) > 0 {
			t.Errorf("setup Job takes variables from %+v; it needs no sink's secret", c.EnvFrom)
		}
		for _, m := range c.VolumeMounts {
			if path != "" && strings.HasPrefix(path, m.MountPath+"/") {
				for _, v := range job.Spec.Template.Spec.Volumes {
					if v.Name == m.Name && v.ConfigMap != nil {
						return v.ConfigMap.Name, path
					}
				}
			}
		}
		return "", path
	}

	vals := everything(t)
	r := render(t, vals)
	check(t, r, vals) // the path is a file of the mounted ConfigMap
	cm, path := jobSinks(t, r)
	if cm != "nm-newsmon-setup-sinks" || path != "/etc/newsmon/sinks/sinks.yaml" {
		t.Fatalf("setup Job: NEWSMON_SINKS %q from ConfigMap %q, want /etc/newsmon/sinks/sinks.yaml from nm-newsmon-setup-sinks", path, cm)
	}
	hook := r.objects["ConfigMap/nm-newsmon-setup-sinks"].(*corev1.ConfigMap)
	job := r.objects["Job/nm-newsmon-setup"].(*batchv1.Job)
	hookWeight, err1 := strconv.Atoi(hook.Annotations["helm.sh/hook-weight"])
	jobWeight, err2 := strconv.Atoi(job.Annotations["helm.sh/hook-weight"])
	if hook.Annotations["helm.sh/hook"] != job.Annotations["helm.sh/hook"] || err1 != nil || err2 != nil || hookWeight >= jobWeight {
		t.Errorf("the Job's sinks file is hook %q weight %q, the Job hook %q weight %q: want the same hooks, the file first",
			hook.Annotations["helm.sh/hook"], hook.Annotations["helm.sh/hook-weight"], job.Annotations["helm.sh/hook"], job.Annotations["helm.sh/hook-weight"])
	}
	notifys := r.objects["ConfigMap/nm-newsmon-sinks"].(*corev1.ConfigMap).Data
	if !maps.Equal(hook.Data, notifys) || !strings.Contains(hook.Data["sinks.yaml"], "soc-hook") {
		t.Errorf("setup Job's sinks file %q, notify's %q: want the same", hook.Data, notifys)
	}

	// A whole file given with --set-file reaches the Job as it is.
	file := "# our sinks\nsinks:\n  - name: chat\n    subjects: [alerts.watch.>]\n    slack:\n      url: {env: SLACK_WEBHOOK_URL}\n"
	r = render(t, merge(required(), map[string]any{"notify": map[string]any{"sinks": file}}))
	if got := r.objects["ConfigMap/nm-newsmon-setup-sinks"].(*corev1.ConfigMap).Data["sinks.yaml"]; got != file {
		t.Errorf("setup Job's sinks.yaml = %q, want the file as given", got)
	}

	// The operator's own ConfigMap: the Job mounts it as notify does.
	r = render(t, merge(required(), map[string]any{"notify": map[string]any{"existingConfigMap": "our-sinks"}}))
	if cm, path := jobSinks(t, r); cm != "our-sinks" || path != "/etc/newsmon/sinks/sinks.yaml" {
		t.Errorf("with notify.existingConfigMap: NEWSMON_SINKS %q from ConfigMap %q, want our-sinks", path, cm)
	}
	if _, ok := r.objects["ConfigMap/nm-newsmon-setup-sinks"]; ok {
		t.Error("a copy of the sinks file rendered beside notify.existingConfigMap")
	}

	// No notify: no sinks file, no sink consumer.
	vals = merge(required(), map[string]any{"notify": map[string]any{"enabled": false}})
	r = render(t, vals)
	check(t, r, vals)
	if cm, path := jobSinks(t, r); cm != "" || path != "" {
		t.Errorf("without notify the setup Job gets NEWSMON_SINKS %q from %q", path, cm)
	}
	if _, ok := r.objects["ConfigMap/nm-newsmon-setup-sinks"]; ok {
		t.Error("a sinks file for setup rendered without notify")
	}
}

func TestRenderMinimal(t *testing.T) {
	r := render(t, minimal())
	check(t, r, minimal())
	for k := range r.objects {
		if !strings.HasPrefix(k, "Deployment/") && !strings.HasPrefix(k, "PodDisruptionBudget/") {
			t.Errorf("%s rendered with desk, notify and setup off", k)
		}
	}
	if len(r.objects) != 3 {
		t.Errorf("objects %v, want ingest, tagger and tagger's budget", slices.Sorted(maps.Keys(r.objects)))
	}
	env := envOf(r.objects["Deployment/nm-newsmon-tagger"].(*appsv1.Deployment).Spec.Template.Spec.Containers[0])
	if env["NATS_USER"] != "" || env["NATS_PASSWORD"] != "" || env["NATS_CREDS"] != "" {
		t.Errorf("auth none still sets credentials: %v", env)
	}
}

// Values that cannot work are refused at render time, naming the value.
func TestRenderRefuses(t *testing.T) {
	for _, c := range []struct {
		name string
		vals map[string]any
		want string
	}{
		{"no desk secret", nil, "desk.auth.secretName is required"},
		{"unknown auth", merge(required(), map[string]any{"nats": map[string]any{"auth": map[string]any{"type": "token"}}}), `nats.auth.type "token"`},
		{"no password secret", merge(required(), map[string]any{"nats": map[string]any{"auth": map[string]any{"secretName": ""}}}), "nats.auth.secretName is required"},
		{"rule file not yaml", merge(required(), map[string]any{"rules": map[string]any{"files": map[string]any{"cloud.yml": "entities: []"}}}), "rules.files.cloud.yml"},
		{"shared claim", merge(required(), map[string]any{"desk": map[string]any{"replicas": 2, "index": map[string]any{"persistence": map[string]any{"enabled": true}}}}), "keep desk.replicas at 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := renderFiles(c.vals)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("render: %v, want an error with %q", err, c.want)
			}
		})
	}
}

// The strict decoding this test relies on does refuse an unknown field, a
// wrong type and a kind the chart should not make.
func TestStrictDecodingRefuses(t *testing.T) {
	for _, doc := range []string{
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replica: 2}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: 1}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, name: y}\n",
		"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: x}\n",
	} {
		if _, err := decode(doc); err == nil {
			t.Errorf("decoded without error:\n%s", doc)
		}
	}
}

// rendered is a release as `helm template` prints it: each object by
// Kind/name, the hooks' names, the notes.
type rendered struct {
	objects map[string]runtime.Object
	hooks   []string
	notes   string
}

// renderFiles renders the chart with vals over values.yaml the way `helm
// template nm . -n news --kube-version 1.37` does: the chart's kubeVersion checked, values
// checked against the schema if any, templates with missing keys as errors.
func renderFiles(vals map[string]any) (map[string]string, error) {
	ch, err := loader.Load(chartDir)
	if err != nil {
		return nil, err
	}
	caps := chartutil.DefaultCapabilities.Copy()
	caps.KubeVersion = *kubeVersion
	if !chartutil.IsCompatibleRange(ch.Metadata.KubeVersion, caps.KubeVersion.String()) {
		return nil, fmt.Errorf("chart requires kubeVersion %s, not %s", ch.Metadata.KubeVersion, caps.KubeVersion.Version)
	}
	rv, err := chartutil.ToRenderValues(ch, vals, chartutil.ReleaseOptions{Name: "nm", Namespace: "news", IsInstall: true, Revision: 1}, caps)
	if err != nil {
		return nil, err
	}
	return engine.Engine{Strict: true}.Render(ch, rv)
}

func render(t *testing.T, vals map[string]any) *rendered {
	t.Helper()
	files, err := renderFiles(vals)
	if err != nil {
		t.Fatal(err)
	}
	r := &rendered{objects: map[string]runtime.Object{}}
	for name, body := range files {
		if strings.HasSuffix(name, "NOTES.txt") {
			r.notes = strings.TrimSpace(body)
			delete(files, name)
		}
	}
	hooks, manifests, err := releaseutil.SortManifests(files, chartutil.DefaultVersionSet, releaseutil.InstallOrder)
	if err != nil {
		t.Fatal(err)
	}
	add := func(source, body string) string {
		obj, err := decode(body)
		if err != nil {
			t.Fatalf("%s: %v\n%s", source, err, body)
		}
		key := obj.GetObjectKind().GroupVersionKind().Kind + "/" + nameOf(obj)
		if _, dup := r.objects[key]; dup {
			t.Errorf("%s rendered twice", key)
		}
		r.objects[key] = obj
		return key
	}
	for _, h := range hooks {
		r.hooks = append(r.hooks, add(h.Path, h.Manifest))
	}
	for _, m := range manifests {
		add(m.Name, m.Content)
	}
	if len(r.objects) == 0 {
		t.Fatal("nothing rendered")
	}
	return r
}

var decoder = func() runtime.Decoder {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme, policyv1.AddToScheme, networkingv1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
}()

// decode reads one manifest into its API type, refusing unknown and
// duplicate fields and kinds outside the chart's (core, apps, batch,
// policy, networking).
func decode(doc string) (runtime.Object, error) {
	obj, _, err := decoder.Decode([]byte(doc), nil, nil)
	return obj, err
}

func nameOf(obj runtime.Object) string {
	if o, ok := obj.(interface{ GetName() string }); ok {
		return o.GetName()
	}
	return ""
}

// check asserts what every rendering must hold.
func check(t *testing.T, r *rendered, vals map[string]any) {
	t.Helper()
	users := accountUsers(t)
	configMaps := map[string]map[string]string{}
	for k, obj := range r.objects {
		if cm, ok := obj.(*corev1.ConfigMap); ok {
			configMaps[cm.Name] = cm.Data
		}
		meta := obj.(interface {
			GetName() string
			GetNamespace() string
			GetLabels() map[string]string
		})
		if errs := validation.IsDNS1123Subdomain(meta.GetName()); len(errs) > 0 {
			t.Errorf("%s: name: %v", k, errs)
		}
		for lk, lv := range meta.GetLabels() {
			if errs := append(validation.IsQualifiedName(lk), validation.IsValidLabelValue(lv)...); len(errs) > 0 {
				t.Errorf("%s: label %s=%s: %v", k, lk, lv, errs)
			}
		}
	}
	for k, obj := range r.objects {
		switch o := obj.(type) {
		case *appsv1.Deployment:
			checkPod(t, k, o.Spec.Template, configMaps, users, true)
			if !selects(o.Spec.Selector.MatchLabels, o.Spec.Template.Labels) {
				t.Errorf("%s: selector %v does not select its pods %v", k, o.Spec.Selector.MatchLabels, o.Spec.Template.Labels)
			}
			component := o.Spec.Template.Labels["app.kubernetes.io/component"]
			if cmd := o.Spec.Template.Spec.Containers[0].Command; len(cmd) != 1 || cmd[0] != component {
				t.Errorf("%s: command %q, want [%s]", k, cmd, component)
			}
		case *batchv1.Job:
			checkPod(t, k, o.Spec.Template, configMaps, users, false)
		case *corev1.Service:
			var target *appsv1.Deployment
			for _, d := range r.objects {
				if d, ok := d.(*appsv1.Deployment); ok && selects(o.Spec.Selector, d.Spec.Template.Labels) {
					target = d
				}
			}
			if target == nil {
				t.Errorf("%s selects no Deployment", k)
				continue
			}
			for _, p := range o.Spec.Ports {
				if !slices.ContainsFunc(target.Spec.Template.Spec.Containers[0].Ports, func(cp corev1.ContainerPort) bool { return cp.Name == p.TargetPort.StrVal }) {
					t.Errorf("%s: target port %q is no port of %s", k, p.TargetPort.StrVal, target.Name)
				}
			}
		case *policyv1.PodDisruptionBudget:
			var n int32
			for _, d := range r.objects {
				if d, ok := d.(*appsv1.Deployment); ok && selects(o.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
					n = *d.Spec.Replicas
				}
			}
			if n <= o.Spec.MinAvailable.IntVal {
				t.Errorf("%s: minAvailable %d of %d replicas blocks every eviction", k, o.Spec.MinAvailable.IntVal, n)
			}
		case *networkingv1.Ingress:
			svc := o.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Name
			if _, ok := r.objects["Service/"+svc]; !ok {
				t.Errorf("%s: backend service %s not rendered", k, svc)
			}
		}
	}
}

// checkPod asserts what every pod of the chart holds.
func checkPod(t *testing.T, k string, pod corev1.PodTemplateSpec, configMaps map[string]map[string]string, users map[string]string, service bool) {
	t.Helper()
	spec := pod.Spec
	sc := spec.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != 65532 {
		t.Errorf("%s: pod security context %+v, want runAsNonRoot and user 65532", k, sc)
	}
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Errorf("%s: mounts a service account token it does not use", k)
	}
	if len(spec.Containers) != 1 {
		t.Fatalf("%s: %d containers", k, len(spec.Containers))
	}
	c := spec.Containers[0]
	cs := c.SecurityContext
	if cs == nil || cs.ReadOnlyRootFilesystem == nil || !*cs.ReadOnlyRootFilesystem || cs.AllowPrivilegeEscalation == nil || *cs.AllowPrivilegeEscalation ||
		cs.Capabilities == nil || !slices.Contains(cs.Capabilities.Drop, "ALL") {
		t.Errorf("%s: container security context %+v", k, cs)
	}
	if c.Resources.Limits.Memory().IsZero() {
		t.Errorf("%s: no memory limit", k)
	}

	// Volumes: each mount has a volume, each volume is mounted, /tmp is
	// writable, and ConfigMaps the chart makes exist.
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
	}
	mounted := map[string]bool{}
	for _, m := range c.VolumeMounts {
		mounted[m.Name] = true
		if _, ok := volumes[m.Name]; !ok {
			t.Errorf("%s: mount %s has no volume", k, m.Name)
		}
	}
	for name, v := range volumes {
		if !mounted[name] {
			t.Errorf("%s: volume %s is not mounted", k, name)
		}
		if v.ConfigMap != nil {
			if _, ok := configMaps[v.ConfigMap.Name]; !ok {
				t.Errorf("%s: volume %s: ConfigMap %s is not rendered", k, name, v.ConfigMap.Name)
			}
		}
		if v.Secret != nil && !slices.Contains(externalSecrets, v.Secret.SecretName) {
			t.Errorf("%s: volume %s: Secret %s is none the values name", k, name, v.Secret.SecretName)
		}
	}
	if !slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == "/tmp" && volumes[m.Name].EmptyDir != nil }) {
		t.Errorf("%s: no writable /tmp", k)
	}

	// Environment: names valid and unique, each one the binary reads, each
	// path under a mount a file the mount has.
	known := variables(t, c.Command)
	seen := map[string]bool{}
	for _, e := range c.Env {
		if errs := validation.IsEnvVarName(e.Name); len(errs) > 0 {
			t.Errorf("%s: env %s: %v", k, e.Name, errs)
		}
		if seen[e.Name] {
			t.Errorf("%s: env %s set twice", k, e.Name)
		}
		seen[e.Name] = true
		if !known[e.Name] {
			t.Errorf("%s: env %s is no variable %s reads", k, e.Name, strings.Join(c.Command, " "))
		}
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && !slices.Contains(externalSecrets, e.ValueFrom.SecretKeyRef.Name) {
			t.Errorf("%s: env %s: Secret %s is none the values name", k, e.Name, e.ValueFrom.SecretKeyRef.Name)
		}
		checkPath(t, k, e.Name, e.Value, c.VolumeMounts, volumes, configMaps)
	}
	for _, ef := range c.EnvFrom {
		if ef.SecretRef == nil || !slices.Contains(externalSecrets, ef.SecretRef.Name) {
			t.Errorf("%s: envFrom %+v", k, ef)
		}
	}

	// NATS: the user and inbox of deploy/nats/accounts.conf for this
	// component, so the server's permissions let it reply to itself.
	env := envOf(c)
	component := pod.Labels["app.kubernetes.io/component"]
	if user := env["NATS_USER"]; user != "" && user != component {
		t.Errorf("%s: NATS_USER %s, want %s", k, user, component)
	}
	if inboxes, ok := users[component]; !ok {
		t.Errorf("%s: NATS user %s is not in deploy/nats/accounts.conf", k, component)
	} else if env["NATS_INBOX_PREFIX"] != "_INBOX_"+component || !strings.Contains(inboxes, " "+env["NATS_INBOX_PREFIX"]+".> ") {
		t.Errorf("%s: NATS_INBOX_PREFIX %q, want _INBOX_%s, which %s may subscribe to (%s)", k, env["NATS_INBOX_PREFIX"], component, component, inboxes)
	}

	if !service {
		return
	}
	// Services: probes and scrape annotations on the port HTTP_ADDR opens.
	_, port, err := net.SplitHostPort(env["HTTP_ADDR"])
	if err != nil {
		t.Errorf("%s: HTTP_ADDR %q: %v", k, env["HTTP_ADDR"], err)
	}
	var ops int32
	for _, p := range c.Ports {
		if p.Name == "ops" {
			ops = p.ContainerPort
		}
	}
	if fmt.Sprint(ops) != port {
		t.Errorf("%s: port ops %d, HTTP_ADDR %q", k, ops, env["HTTP_ADDR"])
	}
	if pod.Annotations["prometheus.io/port"] != port || pod.Annotations["prometheus.io/path"] != "/metrics" {
		t.Errorf("%s: scrape annotations %v, want port %s", k, pod.Annotations, port)
	}
	for probe, want := range map[*corev1.Probe]string{c.LivenessProbe: "/healthz", c.ReadinessProbe: "/readyz", c.StartupProbe: "/healthz"} {
		if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Path != want || probe.HTTPGet.Port.StrVal != "ops" {
			t.Errorf("%s: probe %+v, want %s on port ops", k, probe, want)
		}
	}
}

// checkPath: a variable whose value is a path under a mounted ConfigMap or
// Secret names a file the volume holds.
func checkPath(t *testing.T, k, name, value string, mounts []corev1.VolumeMount, volumes map[string]corev1.Volume, configMaps map[string]map[string]string) {
	t.Helper()
	if !strings.HasPrefix(value, "/") {
		return
	}
	for _, m := range mounts {
		rel, ok := strings.CutPrefix(value, m.MountPath+"/")
		if !ok && value != m.MountPath {
			continue
		}
		v := volumes[m.Name]
		var keys []string
		switch {
		case v.ConfigMap != nil && len(v.ConfigMap.Items) == 0:
			keys = slices.Collect(maps.Keys(configMaps[v.ConfigMap.Name]))
		case v.ConfigMap != nil:
			for _, it := range v.ConfigMap.Items {
				keys = append(keys, it.Path)
			}
		case v.Secret != nil:
			for _, it := range v.Secret.Items {
				keys = append(keys, it.Path)
			}
		default:
			return
		}
		if ok && !slices.Contains(keys, rel) {
			t.Errorf("%s: %s=%s: %s holds %v", k, name, value, m.MountPath, keys)
		}
		return
	}
}

// variables asks the binary a container runs which variables it reads:
// each flag's help ends with "(env NAME)".
var varCache = map[string]map[string]bool{}

func variables(t *testing.T, command []string) map[string]bool {
	t.Helper()
	key := strings.Join(command, " ")
	if v, ok := varCache[key]; ok {
		return v
	}
	out, _ := exec.Command(binary(t, command[0]), append(command[1:], "-h")...).CombinedOutput()
	known := map[string]bool{"SSL_CERT_DIR": true} // read by Go's crypto/x509
	for _, m := range regexp.MustCompile(`\(env ([A-Z0-9_]+)\)`).FindAllStringSubmatch(string(out), -1) {
		known[m[1]] = true
	}
	if len(known) < 10 {
		t.Fatalf("%s -h lists %d variables:\n%s", key, len(known), out)
	}
	varCache[key] = known
	return known
}

// accountUsers reads deploy/nats/accounts.conf with the NATS server's own
// parser: each user of the NEWSMON account and the subjects it may
// subscribe to, space-separated and space-padded.
func accountUsers(t *testing.T) map[string]string {
	t.Helper()
	path := filepath.Join(repoRoot(t), "deploy", "nats", "accounts.conf")
	body := readFile(t, path)
	for _, m := range regexp.MustCompile(`\$(NEWSMON_[A-Z0-9_]+)`).FindAllStringSubmatch(body, -1) {
		t.Setenv(m[1], "x")
	}
	tree, err := conf.ParseFile(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	users := map[string]string{}
	accounts, _ := tree["accounts"].(map[string]any)
	account, _ := accounts["NEWSMON"].(map[string]any)
	list, _ := account["users"].([]any)
	for _, u := range list {
		u, _ := u.(map[string]any)
		name, _ := u["user"].(string)
		perms, _ := u["permissions"].(map[string]any)
		sub, _ := perms["subscribe"].(map[string]any)
		allow, _ := sub["allow"].([]any)
		s := " "
		for _, a := range allow {
			s += fmt.Sprint(a) + " "
		}
		users[name] = s
	}
	if len(users) < 5 {
		t.Fatalf("%s: %d users in account NEWSMON", path, len(users))
	}
	return users
}

func envOf(c corev1.Container) map[string]string {
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
		if e.ValueFrom != nil {
			env[e.Name] = "(from " + e.ValueFrom.String() + ")"
		}
	}
	return env
}

func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func merge(dst, src map[string]any) map[string]any {
	for k, v := range src {
		if sv, ok := v.(map[string]any); ok {
			if dv, ok := dst[k].(map[string]any); ok {
				dst[k] = merge(dv, sv)
				continue
			}
		}
		dst[k] = v
	}
	return dst
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := gobuild.Root(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
