package pipeline

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
)

// chunk is the part of the range one set of jobs writes: its records,
// spooled to one file per object, and what the jobs need to know about
// them. Its memory is bounded by the chunk's distinct customers and product
// keys, never by its records.
type chunk struct {
	dir    string
	seed   maphash.Seed
	spools map[string]*spool // by object
	listed int
	last   time.Time // creation date of the last order added
	// small holds the orders (id and dates only) while the chunk is the
	// range's first and has fewer than MinOrders; nil otherwise.
	small    []bigcommerce.Order
	minSmall int
	skipped  int
	tooBig   bool
	// mapFailed are orders the mapper refused, dead-lettered with the
	// chunk's other failures.
	mapFailed []failedOrder
	// keys are the product keys of the OrderItems, with the order's
	// currency in a multi-currency org.
	keys map[priceKey]bool
}

// failedOrder is an order to dead-letter, with its reason.
type failedOrder struct {
	id       int64
	modified time.Time
	reason   string
}

// spool is one object's records, one JSON line each.
type spool struct {
	object string
	f      *os.File
	w      *bufio.Writer
	lines  uint32
	bytes  int64
	// columns are the CSV columns the records use; createOnly the fields
	// left out of an update.
	columns    map[string]bool
	createOnly map[string]bool
	extField   string
	seed       maphash.Seed
	// newest, for Accounts and Contacts, maps a hash of each external ID
	// to its last line: one row per customer, from its newest order.
	newest map[uint64]uint32
}

// spoolLine is one record as spooled.
type spoolLine struct {
	Order    int64         `json:"o"`
	Modified int64         `json:"m"`
	Currency string        `json:"c,omitempty"`
	Rec      mapper.Record `json:"r"`
}

func (b *bulkRun) newChunk(first bool) (*chunk, error) {
	dir, err := os.MkdirTemp(b.cfg.TempDir, "bc2sf-bulk-")
	if err != nil {
		return nil, fmt.Errorf("pipeline: bulk chunk directory: %w", err)
	}
	c := &chunk{dir: dir, seed: maphash.MakeSeed(), spools: map[string]*spool{}, keys: map[priceKey]bool{}}
	if first {
		c.small, c.minSmall = []bigcommerce.Order{}, b.cfg.MinOrders
	}
	return c, nil
}

// close removes the chunk's files.
func (c *chunk) close() {
	for _, s := range c.spools {
		s.f.Close()
	}
	os.RemoveAll(c.dir)
}

// full reports whether the chunk holds n orders, or a file as large as one
// upload should be: a JSON line is longer than its CSV row, so this errs on
// the safe side.
func (c *chunk) full(n int) bool { return c.listed >= n || c.tooBig }

// add maps o and spools its records.
func (c *chunk) add(b *bulkRun, o *bigcommerce.Order) error {
	c.listed++
	c.last = o.DateCreated
	if c.small != nil {
		if len(c.small) < c.minSmall {
			c.small = append(c.small, bigcommerce.Order{ID: o.ID, DateCreated: o.DateCreated, DateModified: o.DateModified})
		} else {
			c.small = nil
		}
	}
	res, err := b.m.Map(o)
	if err != nil {
		c.mapFailed = append(c.mapFailed, failedOrder{id: o.ID, modified: o.DateModified, reason: "map: " + err.Error()})
		return nil
	}
	if res.Skipped() {
		c.skipped++
		return nil
	}
	mc := &b.mc
	for _, rec := range res.Records {
		s, err := c.spool(rec.SObject, rec.ExternalIDField)
		if err != nil {
			return err
		}
		line := spoolLine{Order: o.ID, Modified: o.DateModified.Unix(), Rec: rec}
		if rec.ProductKey != "" {
			k := priceKey{product: rec.ProductKey}
			if b.multiCurrency {
				k.currency, line.Currency = res.Currency, res.Currency
			}
			c.keys[k] = true
			s.columns[rec.PricebookEntryField] = true
		}
		if rec.SObject == mc.Objects.Account || rec.SObject == mc.Objects.Contact {
			if s.newest == nil {
				s.newest = map[uint64]uint32{}
			}
			s.newest[s.hash(rec.ExternalID)] = s.lines
		}
		if err := s.write(&line); err != nil {
			return err
		}
		c.tooBig = c.tooBig || s.bytes >= salesforce.MaxUploadBytes
	}
	return nil
}

// spool returns the object's spool, creating it.
func (c *chunk) spool(object, extField string) (*spool, error) {
	if s := c.spools[object]; s != nil {
		return s, nil
	}
	f, err := os.CreateTemp(c.dir, "records-*.jsonl")
	if err != nil {
		return nil, fmt.Errorf("pipeline: bulk spool: %w", err)
	}
	s := &spool{object: object, f: f, w: bufio.NewWriterSize(f, 64<<10), columns: map[string]bool{extField: true},
		createOnly: map[string]bool{}, extField: extField, seed: c.seed}
	c.spools[object] = s
	return s, nil
}

// hash is the key of an external ID in newest.
func (s *spool) hash(externalID string) uint64 { return maphash.String(s.seed, externalID) }

func (s *spool) write(line *spoolLine) error {
	for k, v := range line.Rec.Fields {
		if rel, ok := v.(map[string]string); ok {
			for f := range rel {
				s.columns[k+"."+f] = true
			}
			continue
		}
		s.columns[k] = true
	}
	for _, k := range line.Rec.CreateOnly {
		s.createOnly[k] = true
	}
	b, err := json.Marshal(line)
	if err != nil {
		return fmt.Errorf("pipeline: bulk spool %s: %w", s.object, err)
	}
	b = append(b, '\n')
	if _, err := s.w.Write(b); err != nil {
		return fmt.Errorf("pipeline: bulk spool %s: %w", s.object, err)
	}
	s.lines++
	s.bytes += int64(len(b))
	return nil
}

// lines reads the spool back, line by line, and calls each with the line's
// number.
func (s *spool) each(each func(n uint32, line *spoolLine) error) error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("pipeline: bulk spool %s: %w", s.object, err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("pipeline: bulk spool %s: %w", s.object, err)
	}
	r := bufio.NewReaderSize(s.f, 64<<10)
	for n := uint32(0); ; n++ {
		raw, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) && len(raw) == 0 {
			break
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("pipeline: bulk spool %s: %w", s.object, err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var line spoolLine
		if err := dec.Decode(&line); err != nil {
			return fmt.Errorf("pipeline: bulk spool %s line %d: %w", s.object, n, err)
		}
		if err := each(n, &line); err != nil {
			return err
		}
	}
	_, err := s.f.Seek(0, io.SeekEnd)
	return err
}

// header returns the CSV columns: the external ID first, then the rest
// sorted, without the create-only fields when drop is set.
func (s *spool) header(drop bool) []string {
	cols := []string{s.extField}
	var rest []string
	for c := range s.columns {
		if c != s.extField && !(drop && s.isCreateOnly(c)) {
			rest = append(rest, c)
		}
	}
	sort.Strings(rest)
	return append(cols, rest...)
}

// isCreateOnly reports whether a column is a create-only field, or a
// relationship column through one (Order.BigCommerce_Order_Id__c when the
// relationship Order is create-only).
func (s *spool) isCreateOnly(col string) bool {
	if s.createOnly[col] {
		return true
	}
	for i := 0; i < len(col); i++ {
		if col[i] == '.' {
			return s.createOnly[col[:i]]
		}
	}
	return false
}

// csvFile writes the spool's records as a CSV file for an upload: rows for
// which keep returns true, one per external ID for Accounts and Contacts
// (the newest). keep may set fields of the line (a PricebookEntry id). It
// returns the file, at its start, and the number of rows.
func (s *spool) csvFile(dir string, head []string, keep func(line *spoolLine) bool) (*os.File, int, error) {
	f, err := os.CreateTemp(dir, "upload-*.csv")
	if err != nil {
		return nil, 0, fmt.Errorf("pipeline: bulk CSV: %w", err)
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	w := csv.NewWriter(bw)
	rows := 0
	err = w.Write(head)
	row := make([]string, len(head))
	if err == nil {
		err = s.each(func(n uint32, line *spoolLine) error {
			if s.newest != nil && s.newest[s.hash(line.Rec.ExternalID)] != n {
				return nil // an older order of the same customer
			}
			if !keep(line) {
				return nil
			}
			for i, col := range head {
				row[i] = cellOf(&line.Rec, col)
			}
			rows++
			return w.Write(row)
		})
	}
	if err == nil {
		w.Flush()
		err = w.Error()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("pipeline: bulk CSV %s: %w", s.object, err)
	}
	return f, rows, nil
}

// cellOf renders the value of column col of rec as CSV text: the external
// ID, a field, or a relationship column Rel.Field. A field the record does
// not send is empty, which the Bulk API reads as "leave it as it is".
func cellOf(rec *mapper.Record, col string) string {
	if col == rec.ExternalIDField {
		return rec.ExternalID
	}
	if v, ok := rec.Fields[col]; ok {
		return text(v)
	}
	for i := 0; i < len(col); i++ {
		if col[i] != '.' {
			continue
		}
		switch rel := rec.Fields[col[:i]].(type) {
		case map[string]any:
			return text(rel[col[i+1:]])
		case map[string]string:
			return rel[col[i+1:]]
		}
		return ""
	}
	return ""
}

// text renders one field value: strings as they are, numbers in their
// exact decimal text, booleans as true or false.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
