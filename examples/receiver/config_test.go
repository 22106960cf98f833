package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/examples/internal/extest"
)

func TestLoadConfigDefaultsAndOverrides(t *testing.T) {
	t.Parallel()
	base := map[string]string{
		"BIGCOMMERCE_WEBHOOK_SECRET": extest.WebhookSecret,
		"REDIS_URL":                  "redis://localhost:6379/0",
	}
	tests := []struct {
		name  string
		extra map[string]string
		want  map[string]string // field of settings -> value
	}{
		{"defaults", nil, map[string]string{
			"webhookHeader": "X-Webhook-Secret", "listenAddr": ":8080", "logFormat": "text",
			"redis": "localhost:6379 db 0", "schemes": "header",
		}},
		{"overrides", map[string]string{
			"BIGCOMMERCE_WEBHOOK_HEADER": "X-Hook", "LISTEN_ADDR": "127.0.0.1:9000", "LOG_FORMAT": "json",
			"REDIS_URL": "rediss://:pw@10.0.0.1:6380/3", "BIGCOMMERCE_CLIENT_SECRET": extest.ClientSecret,
		}, map[string]string{
			"webhookHeader": "X-Hook", "listenAddr": "127.0.0.1:9000", "logFormat": "json",
			"redis": "10.0.0.1:6380 db 3", "schemes": "header+signature",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tt.extra {
				env[k] = v
			}
			c, err := loadConfig(extest.MapEnv(env))
			if err != nil {
				t.Fatal(err)
			}
			got := settings(c)
			for k, want := range tt.want {
				if got[k] != want {
					t.Errorf("%s = %q, want %q", k, got[k], want)
				}
			}
		})
	}
}

// settings lists the fields of c that hold no secret, as text.
func settings(c config) map[string]string {
	schemes := "header"
	if c.bcClientSecret != "" {
		schemes += "+signature"
	}
	return map[string]string{
		"webhookHeader": c.webhookHeader, "listenAddr": c.listenAddr, "logFormat": c.logFormat,
		"redis": fmt.Sprintf("%s db %d", c.redis.Addr, c.redis.DB), "schemes": schemes,
	}
}

// However the configuration is printed, its secrets stay out.
func TestConfigPrintsNoSecrets(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"BIGCOMMERCE_WEBHOOK_SECRET": extest.WebhookSecret,
		"BIGCOMMERCE_CLIENT_SECRET":  extest.ClientSecret,
		"REDIS_URL":                  "redis://:redis-password@localhost:6379/0",
	}
	c, err := loadConfig(extest.MapEnv(env))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "%v %+v %#v %s\n", c, c, c, c)
	slog.New(slog.NewTextHandler(&out, nil)).Info("text", "config", c)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("json", "config", c)
	extest.AssertNoSecrets(t, out.String(), env)
	if strings.Contains(out.String(), "redis-password") {
		t.Errorf("output contains the Redis password:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "localhost:6379") {
		t.Errorf("output does not describe the configuration:\n%s", out.String())
	}
}
