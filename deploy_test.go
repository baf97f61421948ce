package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestDeployManifests: the example StatefulSet runs one pod per shard —
// SHARD_COUNT equal to the replicas, SHARD_ID from the pod's name — is
// ready on /readyz, scraped on /metrics, runs as a non-root user and keeps
// its index on a volume; the Dockerfile builds a static binary in one stage
// and runs it as non-root in another.
func TestDeployManifests(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("deploy/kubernetes/statefulset.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type env struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom struct {
			FieldRef struct {
				FieldPath string `yaml:"fieldPath"`
			} `yaml:"fieldRef"`
		} `yaml:"valueFrom"`
	}
	var sts struct {
		Kind string `yaml:"kind"`
		Spec struct {
			Replicas            int    `yaml:"replicas"`
			PodManagementPolicy string `yaml:"podManagementPolicy"`
			Template            struct {
				Metadata struct {
					Annotations map[string]string `yaml:"annotations"`
				} `yaml:"metadata"`
				Spec struct {
					SecurityContext struct {
						RunAsNonRoot bool `yaml:"runAsNonRoot"`
					} `yaml:"securityContext"`
					Containers []struct {
						Env            []env `yaml:"env"`
						ReadinessProbe struct {
							HTTPGet struct {
								Path string `yaml:"path"`
							} `yaml:"httpGet"`
						} `yaml:"readinessProbe"`
						VolumeMounts []mount `yaml:"volumeMounts"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("statefulset.yaml: %v", err)
		}
		if doc["kind"] != "StatefulSet" {
			continue
		}
		b, _ := yaml.Marshal(doc)
		if err := yaml.Unmarshal(b, &sts); err != nil {
			t.Fatal(err)
		}
	}
	if sts.Kind != "StatefulSet" || len(sts.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("no StatefulSet with one container in deploy/kubernetes/statefulset.yaml")
	}
	c := sts.Spec.Template.Spec.Containers[0]
	vars := map[string]env{}
	for _, e := range c.Env {
		vars[e.Name] = e
	}
	if got := vars["SHARD_COUNT"].Value; got != strconv.Itoa(sts.Spec.Replicas) {
		t.Errorf("SHARD_COUNT %q with %d replicas: one pod per shard needs them equal", got, sts.Spec.Replicas)
	}
	if got := vars["SHARD_ID"].ValueFrom.FieldRef.FieldPath; got != "metadata.name" {
		t.Errorf("SHARD_ID from %q; want the pod's name (metadata.name), whose number is its ordinal", got)
	}
	if sts.Spec.PodManagementPolicy != "Parallel" {
		t.Errorf("podManagementPolicy %q; shards are independent: Parallel", sts.Spec.PodManagementPolicy)
	}
	if c.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Errorf("readiness on %q; want /readyz", c.ReadinessProbe.HTTPGet.Path)
	}
	if sts.Spec.Template.Metadata.Annotations["prometheus.io/path"] != "/metrics" {
		t.Error("pods are not annotated for scraping /metrics")
	}
	if !sts.Spec.Template.Spec.SecurityContext.RunAsNonRoot {
		t.Error("pods may run as root")
	}
	if data := vars["INDEX_PATH"].Value; !strings.HasPrefix(data, "/data/") || !mounted(c.VolumeMounts, "/data") {
		t.Errorf("INDEX_PATH %q is not on the /data volume", data)
	}

	docker, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^FROM \S+ AS build$`),
		regexp.MustCompile(`CGO_ENABLED=0`),
		regexp.MustCompile(`(?m)^FROM gcr\.io/distroless/static\S*:nonroot$`),
		regexp.MustCompile(`(?m)^USER 65532:65532$`),
		regexp.MustCompile(`(?m)^COPY --from=build `),
	} {
		if !want.Match(docker) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
}

// mount is a container's volume mount.
type mount struct {
	MountPath string `yaml:"mountPath"`
}

func mounted(mounts []mount, path string) bool {
	for _, m := range mounts {
		if m.MountPath == path {
			return true
		}
	}
	return false
}
