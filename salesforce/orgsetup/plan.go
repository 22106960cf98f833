package orgsetup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/bc2sf/bc2sf/salesforce"
)

// Client is what setup needs from a Salesforce client; *salesforce.Client
// implements it.
type Client interface {
	ToolingQuery(ctx context.Context, soql string) iter.Seq2[json.RawMessage, error]
	ToolingCreate(ctx context.Context, sobject string, record any) (string, error)
	Query(ctx context.Context, soql string) iter.Seq2[json.RawMessage, error]
	Create(ctx context.Context, sobject string, record any) (string, error)
	CreateMany(ctx context.Context, records []salesforce.Record, opts salesforce.CollectionOptions) ([]salesforce.SaveResult, error)
	UpdateMany(ctx context.Context, records []salesforce.Record, opts salesforce.CollectionOptions) ([]salesforce.SaveResult, error)
}

var _ Client = (*salesforce.Client)(nil)

// DefaultPermissionSet is the API name of the permission set that carries
// bc2sf's field access: "bc2sf_Integration".
const DefaultPermissionSet = "bc2sf_Integration"

// ErrConflict is wrapped by the error Apply returns when a field exists
// with a type bc2sf cannot use: Setup must change or rename it.
var ErrConflict = errors.New("orgsetup: a field exists with a type bc2sf cannot use")

// Options configures Inspect. The zero value uses DefaultPermissionSet and
// assigns it to nobody.
type Options struct {
	// PermissionSet is the API name of the permission set that grants read
	// and edit access to the fields; it is created when missing. Default
	// DefaultPermissionSet.
	PermissionSet string
	// AssignTo is the username of the integration user, the user the
	// OAuth client credentials flow runs as. When set, the permission set
	// is assigned to that user; when empty, assign it in Setup.
	AssignTo string
}

// State is what Inspect found for one field.
type State string

// The states of a field.
const (
	// StateMissing: the field does not exist; Apply creates it.
	StateMissing State = "create"
	// StateOK: the field exists with a type bc2sf can use.
	StateOK State = "exists"
	// StateConflict: a field of that name exists with a type bc2sf cannot
	// use; Apply changes nothing about it and fails.
	StateConflict State = "conflict"
)

// FieldPlan is one field, what Inspect found, and the access to grant.
type FieldPlan struct {
	Field Field
	State State
	// DataType is the existing field's type as Setup shows it, e.g.
	// "Text(255) (External ID) (Unique Case Insensitive)"; empty when the
	// field is missing.
	DataType string
	// Problem says why an existing field conflicts; empty otherwise.
	Problem string
	// Grant is true when the permission set does not yet give read and
	// edit access to the field (never for a conflict).
	Grant bool

	// permID is the FieldPermissions record to update, "" to create one.
	permID string
}

// Plan is what Apply will do, as Inspect found the org. Print it with
// String for a dry run.
type Plan struct {
	Fields []FieldPlan
	// PermissionSet is the permission set's API name; PermissionSetID is
	// its id, empty when Apply must create it.
	PermissionSet, PermissionSetID string
	// AssignTo is the user to assign the permission set to (empty: none);
	// Assign is true when that assignment is missing.
	AssignTo string
	Assign   bool

	userID string
}

// Conflicts returns the fields that exist with a type bc2sf cannot use.
func (p *Plan) Conflicts() []FieldPlan {
	var out []FieldPlan
	for _, f := range p.Fields {
		if f.State == StateConflict {
			out = append(out, f)
		}
	}
	return out
}

// Changes counts the writes Apply would make: fields to create, the
// permission set, field permissions to grant and the assignment.
func (p *Plan) Changes() int {
	n := 0
	for _, f := range p.Fields {
		if f.State == StateMissing {
			n++
		}
		if f.Grant {
			n++
		}
	}
	if p.PermissionSetID == "" {
		n++
	}
	if p.Assign {
		n++
	}
	return n
}

// maxUsername bounds a username: Salesforce usernames are at most 80
// characters.
const maxUsername = 80

// Inspect reads what the org has and returns the plan that would give it
// fields, field access and (with opts.AssignTo) the assignment: one Tooling
// query for the fields, one query for the permission set and, when it
// exists, one for its field permissions, and with AssignTo one for the user
// and one for the assignment. It changes nothing. fields must be non-empty,
// with valid API names and no name twice.
func Inspect(ctx context.Context, c Client, fields []Field, opts Options) (*Plan, error) {
	if err := checkFields(fields); err != nil {
		return nil, err
	}
	if opts.PermissionSet == "" {
		opts.PermissionSet = DefaultPermissionSet
	}
	if !apiName.MatchString(opts.PermissionSet) {
		return nil, fmt.Errorf("orgsetup: permission set name %q: letters, digits and single underscores, starting with a letter", opts.PermissionSet)
	}
	if len(opts.AssignTo) > maxUsername {
		return nil, fmt.Errorf("orgsetup: username longer than %d characters", maxUsername)
	}
	existing, err := existingFields(ctx, c, fields)
	if err != nil {
		return nil, err
	}
	p := &Plan{PermissionSet: opts.PermissionSet, AssignTo: opts.AssignTo}
	for _, f := range fields {
		fp := FieldPlan{Field: f, State: StateMissing}
		if dt, ok := existing[strings.ToLower(f.FullName())]; ok {
			fp.DataType = dt
			fp.State = StateOK
			if fp.Problem = conflict(f, dt); fp.Problem != "" {
				fp.State = StateConflict
			}
		}
		fp.Grant = fp.State != StateConflict
		p.Fields = append(p.Fields, fp)
	}
	if p.PermissionSetID, err = firstID(ctx, c, "SELECT Id FROM PermissionSet WHERE Name = "+salesforce.QuoteString(p.PermissionSet)); err != nil {
		return nil, fmt.Errorf("orgsetup: find permission set: %w", err)
	}
	if p.PermissionSetID != "" {
		if err := p.readGrants(ctx, c); err != nil {
			return nil, err
		}
	}
	if opts.AssignTo != "" {
		if err := p.readAssignment(ctx, c); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// apiName matches a Salesforce API name without the __c suffix rules.
var apiName = regexp.MustCompile(`^[A-Za-z](?:[A-Za-z0-9]|_[A-Za-z0-9])*(?:__c)?$`)

func checkFields(fields []Field) error {
	if len(fields) == 0 {
		return errors.New("orgsetup: no fields")
	}
	seen := map[string]bool{}
	for _, f := range fields {
		if !apiName.MatchString(f.Object) || !strings.HasSuffix(f.Name, "__c") || !apiName.MatchString(f.Name) {
			return fmt.Errorf("orgsetup: %q is not an Object.Field__c pair of API names", f.FullName())
		}
		switch {
		case f.Type == TypeText && (f.Length < 1 || f.Length > 255):
			return fmt.Errorf("orgsetup: %s: text length %d outside 1-255", f.FullName(), f.Length)
		case f.Type == TypeCurrency && (f.Precision < 1 || f.Precision > 18 || f.Scale < 0 || f.Scale > f.Precision):
			return fmt.Errorf("orgsetup: %s: precision %d, scale %d", f.FullName(), f.Precision, f.Scale)
		case f.Type != TypeText && f.Type != TypeCurrency:
			return fmt.Errorf("orgsetup: %s: unknown type %q", f.FullName(), f.Type)
		case f.ExternalID && f.Type != TypeText:
			return fmt.Errorf("orgsetup: %s: only text fields are external IDs here", f.FullName())
		case f.Label == "" || len(f.Label) > 40:
			return fmt.Errorf("orgsetup: %s: label must be 1-40 characters", f.FullName())
		}
		k := strings.ToLower(f.FullName())
		if seen[k] {
			return fmt.Errorf("orgsetup: %s listed twice", f.FullName())
		}
		seen[k] = true
	}
	return nil
}

// existingFields reads the DataType of every field of fields that exists,
// by lower-cased full name, with one Tooling query on FieldDefinition.
func existingFields(ctx context.Context, c Client, fields []Field) (map[string]string, error) {
	objects, names := distinct(fields, func(f Field) string { return f.Object }), distinct(fields, func(f Field) string { return f.Name })
	soql := "SELECT EntityDefinition.QualifiedApiName, QualifiedApiName, DataType FROM FieldDefinition" +
		" WHERE EntityDefinition.QualifiedApiName IN (" + quoteAll(objects) + ") AND QualifiedApiName IN (" + quoteAll(names) + ")"
	out := map[string]string{}
	for raw, err := range c.ToolingQuery(ctx, soql) {
		if err != nil {
			return nil, fmt.Errorf("orgsetup: read existing fields: %w", err)
		}
		var row struct {
			Entity struct {
				Name string `json:"QualifiedApiName"`
			} `json:"EntityDefinition"`
			Name     string `json:"QualifiedApiName"`
			DataType string `json:"DataType"`
		}
		if err := json.Unmarshal(raw, &row); err != nil {
			return nil, fmt.Errorf("orgsetup: decode FieldDefinition: %w", err)
		}
		out[strings.ToLower(row.Entity.Name+"."+row.Name)] = row.DataType
	}
	return out, nil
}

// dataTypeRE reads Setup's rendering of a type: "Text(255) (External ID)
// (Unique Case Insensitive)", "Currency(14, 4)", "Number(18, 0)".
var dataTypeRE = regexp.MustCompile(`^([A-Za-z /]+?)\s*(?:\((\d+)(?:,\s*(\d+))?\))?((?:\s*\([^)]*\))*)\s*$`)

// conflict says why a field whose type Setup shows as dataType cannot serve
// as f, or "" when it can.
func conflict(f Field, dataType string) string {
	m := dataTypeRE.FindStringSubmatch(dataType)
	if m == nil {
		return fmt.Sprintf("unrecognised type %q", dataType)
	}
	base, flags := m[1], m[4]
	n1, _ := strconv.Atoi(m[2])
	n2, _ := strconv.Atoi(m[3])
	if !strings.EqualFold(base, string(f.Type)) {
		return fmt.Sprintf("is %s, bc2sf needs %s", dataType, f.Spec())
	}
	switch f.Type {
	case TypeText:
		if n1 < f.Length {
			return fmt.Sprintf("holds %d characters, bc2sf needs %d", n1, f.Length)
		}
	case TypeCurrency:
		if n2 < f.Scale || n1 < f.Precision-f.Scale {
			return fmt.Sprintf("is %s, bc2sf needs at least %s", dataType, f.Spec())
		}
	}
	if f.ExternalID {
		switch {
		case !strings.Contains(flags, "(External ID)"):
			return "is not an External ID, so bc2sf cannot upsert on it"
		case !strings.Contains(flags, "(Unique"):
			return "is not Unique, so an upsert could match several records (and needs View All Data)"
		}
	}
	return ""
}

// readGrants marks the fields whose access the permission set already
// gives, and remembers the FieldPermissions records to update.
func (p *Plan) readGrants(ctx context.Context, c Client) error {
	names := make([]string, 0, len(p.Fields))
	for _, f := range p.Fields {
		names = append(names, f.Field.FullName())
	}
	soql := "SELECT Id, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId = " +
		salesforce.QuoteString(p.PermissionSetID) + " AND Field IN (" + quoteAll(names) + ")"
	have := map[string]struct {
		id         string
		read, edit bool
	}{}
	for raw, err := range c.Query(ctx, soql) {
		if err != nil {
			return fmt.Errorf("orgsetup: read field permissions: %w", err)
		}
		var row struct {
			ID    string `json:"Id"`
			Field string `json:"Field"`
			Read  bool   `json:"PermissionsRead"`
			Edit  bool   `json:"PermissionsEdit"`
		}
		if err := json.Unmarshal(raw, &row); err != nil {
			return fmt.Errorf("orgsetup: decode FieldPermissions: %w", err)
		}
		have[strings.ToLower(row.Field)] = struct {
			id         string
			read, edit bool
		}{row.ID, row.Read, row.Edit}
	}
	for i := range p.Fields {
		f := &p.Fields[i]
		if g, ok := have[strings.ToLower(f.Field.FullName())]; ok {
			f.permID = g.id
			f.Grant = f.Grant && !(g.read && g.edit)
		}
	}
	return nil
}

// readAssignment finds the user and whether the permission set is assigned.
func (p *Plan) readAssignment(ctx context.Context, c Client) error {
	id, err := firstID(ctx, c, "SELECT Id FROM User WHERE Username = "+salesforce.QuoteString(p.AssignTo))
	if err != nil {
		return fmt.Errorf("orgsetup: find user: %w", err)
	}
	if id == "" {
		return fmt.Errorf("orgsetup: no user with username %q", p.AssignTo)
	}
	p.userID, p.Assign = id, true
	if p.PermissionSetID == "" {
		return nil
	}
	got, err := firstID(ctx, c, "SELECT Id FROM PermissionSetAssignment WHERE PermissionSetId = "+
		salesforce.QuoteString(p.PermissionSetID)+" AND AssigneeId = "+salesforce.QuoteString(id))
	if err != nil {
		return fmt.Errorf("orgsetup: read permission set assignment: %w", err)
	}
	p.Assign = got == ""
	return nil
}

// firstID returns the Id of the first record soql finds, or "".
func firstID(ctx context.Context, c Client, soql string) (string, error) {
	for raw, err := range c.Query(ctx, soql) {
		if err != nil {
			return "", err
		}
		var row struct {
			ID string `json:"Id"`
		}
		if err := json.Unmarshal(raw, &row); err != nil {
			return "", err
		}
		return row.ID, nil
	}
	return "", nil
}

// distinct returns the sorted distinct values of key over fields.
func distinct(fields []Field, key func(Field) string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range fields {
		if k := key(f); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = salesforce.QuoteString(v)
	}
	return strings.Join(q, ", ")
}
