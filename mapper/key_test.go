package mapper

import (
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"pgregory.net/rapid"
)

func TestCustomerKey(t *testing.T) {
	long := strings.Repeat("a", 240) + "@example.com" // plausible, 252 characters
	for _, c := range []struct {
		name          string
		email         string
		customer, ord int64
		want          string
	}{
		{"dot com", "ada@example.com", 0, 1, "ada@example%2Ecom"},
		{"file-extension TLD", "ada@studio.inc", 0, 1, "ada@studio%2Einc"},
		{"several dots: only the last", "a.b@mail.studio.inc", 0, 1, "a.b@mail.studio%2Einc"},
		{"trimmed and lower-cased", "  Ada@Studio.INC ", 0, 1, "ada@studio%2Einc"},
		{"slash and percent", "a/b%c@example.com", 0, 1, "a%2Fb%25c@example%2Ecom"},
		{"percent before the dot, lower-cased", "a@b%2E.com", 0, 1, "a@b%252e%2Ecom"},
		{"registered without e-mail", "", 7, 250, "bc-customer-7"},
		{"guest without e-mail", "", 0, 250, "bc-order-250"},
		{"implausible e-mail", "n/a", 7, 250, "bc-customer-7"},
		{"too long once encoded", long + "%%", 7, 250, "bc-customer-7"},
		{"no id at all", "", 0, 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := CustomerKey(c.email, c.customer, c.ord); got != c.want {
				t.Errorf("CustomerKey(%q, %d, %d) = %q, want %q", c.email, c.customer, c.ord, got, c.want)
			}
		})
	}
}

// TestCustomerKeyMatchesMap: the exported function is what Map writes.
func TestCustomerKeyMatchesMap(t *testing.T) {
	m, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(t *rapid.T) {
		o := genOrder().Draw(t, "order")
		o.ID = rapid.Int64Range(1, 1<<40).Draw(t, "id")
		o.StatusID = bigcommerce.StatusCompleted
		o.IsDeleted = false
		o.BillingAddress.Email = rapid.OneOf(genText(), genEmail()).Draw(t, "email")
		res, err := m.Map(&o)
		if err != nil {
			t.Skip(err)
		}
		want := CustomerKey(o.BillingAddress.Email, o.CustomerID, o.ID)
		for _, rec := range res.Records[:2] {
			if rec.ExternalID != want {
				t.Fatalf("%s key %q, CustomerKey %q", rec.SObject, rec.ExternalID, want)
			}
		}
	})
}

// genEmail draws plausible e-mails full of the characters the key encodes.
func genEmail() *rapid.Generator[string] {
	part := rapid.StringOfN(rapid.SampledFrom([]rune("ab.%/+-_2EFéÉ")), 1, 12, -1)
	return rapid.Custom(func(t *rapid.T) string {
		return part.Draw(t, "local") + "@" + part.Draw(t, "host") + "." + part.Draw(t, "tld")
	})
}

// TestCustomerKeyInjective: two e-mails never share a key, the key decodes
// to the e-mail, and no key ends in ".<something>" or holds a "/".
func TestCustomerKeyInjective(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := genEmail().Draw(t, "a")
		b := genEmail().Draw(t, "b")
		ka, kb := CustomerKey(a, 0, 1), CustomerKey(b, 0, 1)
		na, nb := normalizeEmail(a), normalizeEmail(b)
		if !plausibleEmail(na) {
			return
		}
		if dec, ok := decodeKey(ka); !ok || dec != na {
			t.Fatalf("key %q decodes to %q, %v; want %q", ka, dec, ok, na)
		}
		if strings.Contains(ka, "/") {
			t.Fatalf("key %q holds a slash", ka)
		}
		if i := strings.LastIndexByte(ka, '.'); i >= 0 && !strings.Contains(ka[i:], "%2E") {
			t.Fatalf("key %q ends in an extension %q", ka, ka[i:])
		}
		if plausibleEmail(nb) && na != nb && ka == kb {
			t.Fatalf("%q and %q share the key %q", a, b, ka)
		}
	})
}

func TestMigrateCustomerKey(t *testing.T) {
	for _, c := range []struct {
		old, want string
		changed   bool
	}{
		{"ada@studio.inc", "ada@studio%2Einc", true},
		{"ada@example.com", "ada@example%2Ecom", true},
		{"a/b@example.com", "a%2Fb@example%2Ecom", true},
		{"a%b@example.com", "a%25b@example%2Ecom", true},
		{"a.b@mail.example%2Ecom", "a.b@mail.example%2Ecom", false}, // already encoded
		{"ada@example%2Ecom", "ada@example%2Ecom", false},
		{"bc-customer-7", "bc-customer-7", false},
		{"bc-order-250", "bc-order-250", false},
		{"Ada@Example.com", "Ada@Example.com", false}, // never written by bc2sf
		{"", "", false},
	} {
		got, changed := MigrateCustomerKey(c.old)
		if got != c.want || changed != c.changed {
			t.Errorf("MigrateCustomerKey(%q) = %q, %v; want %q, %v", c.old, got, changed, c.want, c.changed)
		}
	}
}

// TestMigrateCustomerKeyProperty: migrating the key the old scheme wrote
// (the normalised e-mail) gives the new key, and migrating twice changes
// nothing more.
func TestMigrateCustomerKeyProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		email := genEmail().Draw(t, "email")
		old := normalizeEmail(email)
		if !plausibleEmail(old) {
			return
		}
		got, _ := MigrateCustomerKey(old)
		if want := CustomerKey(email, 7, 1); got != want {
			t.Fatalf("MigrateCustomerKey(%q) = %q, CustomerKey %q", old, got, want)
		}
		if again, changed := MigrateCustomerKey(got); changed || again != got {
			t.Fatalf("second migration of %q gave %q, %v", got, again, changed)
		}
	})
}

func FuzzCustomerKey(f *testing.F) {
	for _, s := range []string{"ada@studio.inc", "a/b%c@x.y", "%", "a@b.c%2E", "", "\xff@x.y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, email string) {
		k := CustomerKey(email, 0, 1)
		if k == "" || len([]rune(k)) > maxCustomerKey || strings.Contains(k, "/") {
			t.Fatalf("CustomerKey(%q) = %q", email, k)
		}
		if k != "bc-order-1" {
			if dec, ok := decodeKey(k); !ok || CustomerKey(dec, 0, 1) != k {
				t.Fatalf("key %q of %q does not round-trip (%q, %v)", k, email, dec, ok)
			}
		}
		if m, _ := MigrateCustomerKey(k); m != k {
			t.Fatalf("MigrateCustomerKey changed the new key %q to %q", k, m)
		}
	})
}
