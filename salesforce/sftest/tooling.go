package sftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// customField is a field created through the Tooling API.
type customField struct {
	id     string
	seq    uint64
	object *objectDef
	name   string // API name, ending in __c
	meta   fieldMeta
}

// fieldMeta is the part of a CustomField's Metadata the fake keeps.
type fieldMeta struct {
	Label         string `json:"label"`
	Type          string `json:"type"`
	Length        int    `json:"length"`
	Precision     int    `json:"precision"`
	Scale         int    `json:"scale"`
	ExternalID    bool   `json:"externalId"`
	Unique        bool   `json:"unique"`
	CaseSensitive bool   `json:"caseSensitive"`
	Required      bool   `json:"required"`
	Description   string `json:"description"`
}

// customFieldName is a custom field's API name: letters, digits and single
// underscores, starting with a letter, ending in __c.
var customFieldName = regexp.MustCompile(`^[A-Za-z](?:[A-Za-z0-9]|_[A-Za-z0-9])*__c$`)

// fieldTypes are the Metadata API types the fake accepts, each with its
// shape: a length, a precision and scale, or neither.
var fieldTypes = map[string]string{
	"Text": "length", "Currency": "number", "Number": "number", "Percent": "number",
	"Checkbox": "", "Date": "", "DateTime": "", "Email": "", "Phone": "", "Url": "",
}

// handleTooling serves the Tooling API resources the fake knows:
// POST tooling/sobjects/CustomField and GET tooling/query.
func (s *Server) handleTooling(t *tx, c call) response {
	segs := c.segs
	switch {
	case len(segs) == 2 && segs[1] == "query":
		if c.method != http.MethodGet {
			return methodNotAllowed(c.method, "GET,HEAD")
		}
		q := c.query.Get("q")
		if q == "" {
			return errorResponse(http.StatusBadRequest, "MALFORMED_QUERY", "A query string has to be specified")
		}
		return t.toolingQuery(c.version, q)
	case len(segs) == 3 && segs[1] == "sobjects" && strings.EqualFold(segs[2], "CustomField"):
		if c.method != http.MethodPost {
			return methodNotAllowed(c.method, "GET,HEAD,POST")
		}
		return t.createCustomField(c)
	}
	return notFound()
}

// createCustomField validates a CustomField body and adds the field. An
// external ID field becomes usable for upsert at once.
func (t *tx) createCustomField(c call) response {
	var body struct {
		FullName string    `json:"FullName"`
		Metadata fieldMeta `json:"Metadata"`
	}
	dec := json.NewDecoder(bytes.NewReader(c.body))
	if err := dec.Decode(&body); err != nil {
		return jsonParseError("Unexpected character in the request body: expected a CustomField object")
	}
	objName, fieldName, ok := strings.Cut(body.FullName, ".")
	if !ok || !customFieldName.MatchString(fieldName) {
		return errorResponse(http.StatusBadRequest, "FIELD_INTEGRITY_EXCEPTION",
			fmt.Sprintf("FullName %q: want Object.Field__c", body.FullName), "FullName")
	}
	obj := t.st.object(objName)
	if obj == nil {
		return errorResponse(http.StatusBadRequest, "FIELD_INTEGRITY_EXCEPTION",
			fmt.Sprintf("entity type %s does not support custom fields or does not exist", objName), "FullName")
	}
	m := body.Metadata
	if msg := checkFieldMeta(m); msg != "" {
		return errorResponse(http.StatusBadRequest, "FIELD_INTEGRITY_EXCEPTION", msg, "Metadata")
	}
	key := strings.ToLower(obj.name + "." + fieldName)
	if t.st.customFields[key] != nil {
		return errorResponse(http.StatusBadRequest, "DUPLICATE_VALUE",
			"duplicate value found: <unknown> duplicates value on record with id: <unknown>")
	}
	t.st.nextID++
	t.st.seq++
	f := &customField{id: makeID("00N", t.st.nextID), seq: t.st.seq, object: obj, name: fieldName, meta: m}
	t.st.customFields[key] = f
	if m.ExternalID {
		t.st.addExternalID(obj, fieldName)
	}
	return response{status: http.StatusCreated, body: map[string]any{
		"id": f.id, "success": true, "errors": []any{}, "warnings": []any{}, "infos": []any{},
	}}
}

// checkFieldMeta returns what is wrong with m, or "".
func checkFieldMeta(m fieldMeta) string {
	shape, known := fieldTypes[m.Type]
	switch {
	case !known:
		return fmt.Sprintf("type %q is not a field type this org supports", m.Type)
	case m.Label == "" || len(m.Label) > 40:
		return "label: 1 to 40 characters required"
	case shape == "length" && (m.Length < 1 || m.Length > 255):
		return fmt.Sprintf("length %d: a Text field holds 1 to 255 characters", m.Length)
	case shape == "number" && (m.Precision < 1 || m.Precision > 18 || m.Scale < 0 || m.Scale > m.Precision):
		return fmt.Sprintf("precision %d, scale %d: want 1 <= precision <= 18 and 0 <= scale <= precision", m.Precision, m.Scale)
	case (m.ExternalID || m.Unique) && shape == "" && m.Type != "Email":
		return fmt.Sprintf("a %s field cannot be an external ID or unique", m.Type)
	}
	return ""
}

// dataType renders a field's type the way FieldDefinition.DataType and the
// Setup UI show it, e.g. "Text(255) (External ID) (Unique Case
// Insensitive)" or "Currency(14, 4)".
func (f *customField) dataType() string {
	m := f.meta
	var b strings.Builder
	b.WriteString(m.Type)
	switch fieldTypes[m.Type] {
	case "length":
		fmt.Fprintf(&b, "(%d)", m.Length)
	case "number":
		fmt.Fprintf(&b, "(%d, %d)", m.Precision-m.Scale, m.Scale)
	}
	if m.ExternalID {
		b.WriteString(" (External ID)")
	}
	if m.Unique {
		if m.CaseSensitive {
			b.WriteString(" (Unique Case Sensitive)")
		} else {
			b.WriteString(" (Unique Case Insensitive)")
		}
	}
	return b.String()
}

// toolingRow is one row of a Tooling query: the values of every column the
// fake serves for the object, by canonical column name.
type toolingRow map[string]any

// toolingColumns are the columns of the Tooling objects the fake serves.
var toolingColumns = map[string][]string{
	"FieldDefinition": {"Id", "DurableId", "QualifiedApiName", "DeveloperName", "Label", "DataType",
		"Length", "Precision", "Scale", "EntityDefinitionId", "EntityDefinition.QualifiedApiName"},
	"CustomField": {"Id", "DeveloperName", "TableEnumOrId", "NamespacePrefix"},
}

// toolingQuery answers a Tooling SOQL query on FieldDefinition or
// CustomField. Every match comes in one page.
func (t *tx) toolingQuery(version, text string) response {
	q, err := parseSOQL(text)
	if err != nil {
		return errorResponse(http.StatusBadRequest, "MALFORMED_QUERY", strings.TrimPrefix(err.Error(), "sftest: malformed query: "))
	}
	object, cols := "", []string(nil)
	for name, c := range toolingColumns {
		if strings.EqualFold(name, q.Object) {
			object, cols = name, c
		}
	}
	if object == "" {
		return errorResponse(http.StatusBadRequest, "INVALID_TYPE", "sObject type '"+q.Object+"' is not supported.")
	}
	column := func(f string) (string, bool) {
		for _, c := range cols {
			if strings.EqualFold(c, f) {
				return c, true
			}
		}
		return "", false
	}
	for _, f := range append(append([]string{}, q.Fields...), whereFields(q)...) {
		if _, ok := column(f); !ok {
			return errorResponse(http.StatusBadRequest, "INVALID_FIELD",
				fmt.Sprintf("No such column '%s' on entity '%s'.", f, object))
		}
	}
	if object == "FieldDefinition" && !filtersEntity(q) {
		return errorResponse(http.StatusBadRequest, "MALFORMED_QUERY",
			"FieldDefinition queries need a filter on EntityDefinition.QualifiedApiName, EntityDefinitionId or DurableId")
	}
	fields := make([]*customField, 0, len(t.st.customFields))
	for _, f := range t.st.customFields {
		fields = append(fields, f)
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].seq < fields[j].seq })
	records := []map[string]any{}
	for _, f := range fields {
		row := f.row(object)
		ok := true
		for _, c := range q.Where {
			name, _ := column(c.Field)
			if !matches(row[name], c) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if q.Limit >= 0 && len(records) == q.Limit {
			break
		}
		records = append(records, f.project(version, object, row, q.Fields, column))
	}
	return response{status: http.StatusOK, body: map[string]any{
		"size": len(records), "totalSize": len(records), "done": true,
		"queryLocator": nil, "entityTypeName": object, "records": records,
	}}
}

// whereFields lists the fields a query's WHERE clause names.
func whereFields(q *soqlQuery) []string {
	out := make([]string, 0, len(q.Where))
	for _, c := range q.Where {
		out = append(out, c.Field)
	}
	return out
}

// filtersEntity reports whether a FieldDefinition query names its objects,
// as Salesforce requires.
func filtersEntity(q *soqlQuery) bool {
	for _, c := range q.Where {
		switch strings.ToLower(c.Field) {
		case "entitydefinition.qualifiedapiname", "entitydefinitionid", "durableid":
			if c.Op == "=" || c.Op == "IN" {
				return true
			}
		}
	}
	return false
}

// row renders f as a row of object.
func (f *customField) row(object string) toolingRow {
	dev := strings.TrimSuffix(f.name, "__c")
	if object == "CustomField" {
		return toolingRow{"Id": f.id, "DeveloperName": dev, "TableEnumOrId": f.object.name, "NamespacePrefix": nil}
	}
	m := f.meta
	return toolingRow{
		"Id": "000000000000000AAA", "DurableId": f.object.name + "." + f.id[:15],
		"QualifiedApiName": f.name, "DeveloperName": dev, "Label": m.Label, "DataType": f.dataType(),
		"Length": json.Number(strconv.Itoa(m.Length)), "Precision": json.Number(strconv.Itoa(m.Precision)),
		"Scale":              json.Number(strconv.Itoa(m.Scale)),
		"EntityDefinitionId": f.object.name, "EntityDefinition.QualifiedApiName": f.object.name,
	}
}

// project renders the selected columns of row as a query record; a
// relationship column becomes a nested object, as the API nests it.
func (f *customField) project(version, object string, row toolingRow, selected []string, column func(string) (string, bool)) map[string]any {
	id := f.id
	if object == "FieldDefinition" {
		id = f.object.name + "." + f.name
	}
	out := map[string]any{"attributes": map[string]string{
		"type": object, "url": "/services/data/" + version + "/tooling/sobjects/" + object + "/" + id,
	}}
	for _, sel := range selected {
		name, _ := column(sel)
		parent, child, nested := strings.Cut(name, ".")
		if !nested {
			out[name] = row[name]
			continue
		}
		p, _ := out[parent].(map[string]any)
		if p == nil {
			p = map[string]any{"attributes": map[string]string{
				"type": parent, "url": "/services/data/" + version + "/tooling/sobjects/" + parent + "/" + f.object.name,
			}}
			out[parent] = p
		}
		p[child] = row[name]
	}
	return out
}

// setupRules enforces what a real org checks on the records of field-level
// access: a FieldPermissions record names a field that exists, once per
// permission set; a permission set name is taken once; a user gets a
// permission set once.
func (t *tx) setupRules(obj *objectDef, fields map[string]any) *dmlError {
	text := func(name string) string {
		_, v, _ := lookupField(fields, name)
		s, _ := valueText(v)
		return s
	}
	switch obj.name {
	case "FieldPermissions":
		field := text("Field")
		objName, name, _ := strings.Cut(field, ".")
		if !strings.EqualFold(objName, text("SobjectType")) ||
			(strings.HasSuffix(strings.ToLower(name), "__c") && t.st.customFields[strings.ToLower(field)] == nil) {
			return newDMLError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
				"Field Name: bad value for restricted picklist field: "+field, "Field")
		}
		if t.duplicate(obj, fields, "ParentId", "Field") {
			return newDMLError("DUPLICATE_VALUE", "duplicate value found: <unknown> duplicates value on record with id: <unknown>")
		}
	case "PermissionSet":
		if t.duplicate(obj, fields, "Name") {
			return newDMLError("DUPLICATE_DEVELOPER_NAME", "The API name you entered is already in use: "+text("Name"), "Name")
		}
	case "PermissionSetAssignment":
		if t.duplicate(obj, fields, "AssigneeId", "PermissionSetId") {
			return newDMLError("DUPLICATE_VALUE", fmt.Sprintf("Duplicate PermissionSetAssignment. Assignee: %s; Permission Set: %s",
				text("AssigneeId"), text("PermissionSetId")))
		}
	}
	return nil
}

// duplicate reports whether another record of obj holds the same values in
// every one of keys (compared as text, ignoring case).
func (t *tx) duplicate(obj *objectDef, fields map[string]any, keys ...string) bool {
	_, id, _ := lookupField(fields, "Id")
	for _, r := range t.st.list(obj) {
		if r.id == id {
			continue
		}
		same := true
		for _, k := range keys {
			_, a, _ := lookupField(fields, k)
			_, b, _ := lookupField(r.fields, k)
			at, _ := valueText(a)
			bt, _ := valueText(b)
			if !strings.EqualFold(at, bt) {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}
