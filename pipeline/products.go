package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/shopspring/decimal"
)

// objectPricebookEntry is the object of a product's price.
const objectPricebookEntry = "PricebookEntry"

// entityProblems checks the product sync's settings for NewWorker.
func (c *WorkerConfig) entityProblems() []string {
	if isNil(c.Products) {
		return nil
	}
	var p []string
	if isNil(c.Pricebook) {
		p = append(p, "Pricebook is nil but Products is set (product syncs query the PricebookEntries)")
	}
	if c.StandardPricebookID == "" {
		p = append(p, "StandardPricebookID is empty but Products is set")
	} else if !salesforceID(c.StandardPricebookID) {
		p = append(p, fmt.Sprintf("StandardPricebookID %q is not a 15- or 18-character Salesforce id", c.StandardPricebookID))
	}
	if c.StoreCurrency != "" && (len(c.StoreCurrency) != 3 || strings.ToUpper(c.StoreCurrency) != c.StoreCurrency) {
		p = append(p, fmt.Sprintf("StoreCurrency %q is not a three-letter ISO code", c.StoreCurrency))
	}
	return p
}

func salesforceID(s string) bool {
	if len(s) != 15 && len(s) != 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// syncProductJobs syncs a batch of product jobs: one BigCommerce read of
// all their products with variants, then one Composite Graph call writing
// each product's Product2 records and entries. The entries' ids come from
// what each product's last sync recorded in the Store; a product without
// such a record (never written by a product sync, a new key, currency or
// price book, or a forced sync) costs one query for its entries before the
// graph call, and so does a product whose recorded entries Salesforce
// refuses (deleted since), in a second try within the same sync.
func (w *Worker) syncProductJobs(ctx context.Context, jobs []*job) {
	ids, byID := groupJobs(jobs)
	cctx, end := w.callHook(ctx, StageFetch, jobs)
	found, err := w.readProducts(cctx, ids)
	end(err)
	if err != nil {
		w.failJobs(ctx, jobs, Result{}, err)
		return
	}
	var mapped []*mapper.ProductResult
	owners := map[int64]*entityItem{}
	memory := map[int64]map[string]string{}
	for _, id := range ids {
		js := byID[id]
		p, ok := found[id]
		if !ok {
			w.completeJobs(js, Result{Outcome: OutcomeSkipped, SkipCode: SkipNotFound,
				Reason: fmt.Sprintf("%s: product %d does not exist in BigCommerce (deleted?); Salesforce is left as it is", SkipNotFound, id)})
			continue
		}
		res, err := w.cfg.Mapper.MapProduct(p)
		if err != nil {
			w.failJobs(ctx, js, Result{}, fmt.Errorf("map product %d: %w", id, err))
			continue
		}
		r := Result{Warnings: res.Warnings}
		vkey := entityVersionKey(KindProduct, id, p.DateModified)
		if w.skipFresh(js, recordsVersion(p.DateModified, res.Products), vkey, r) {
			continue
		}
		memory[id] = rememberedEntries(js)
		mapped = append(mapped, &res)
		owners[id] = &entityItem{id: id, jobs: js, res: r, versionKey: vkey}
	}
	if len(mapped) == 0 {
		return
	}
	pw, err := w.productGraphs(ctx, mapped, memory)
	if err != nil {
		for _, res := range mapped {
			it := owners[res.ProductID]
			w.failJobs(ctx, it.jobs, it.res, err)
		}
		return
	}
	var items []*entityItem
	for _, res := range mapped {
		it := owners[res.ProductID]
		if err := pw.errs[res.ProductID]; err != nil {
			w.failJobs(ctx, it.jobs, it.res, err)
			continue
		}
		it.graphs = pw.graphs[res.ProductID]
		items = append(items, it)
	}
	results, errs := w.sendItems(ctx, items)
	written := map[int64]*productWrite{}
	for _, it := range items {
		written[it.id] = pw
	}
	w.retryRecalled(ctx, items, pw, written, results, errs)
	for _, it := range items {
		if itemErr(it, errs) != nil {
			continue
		}
		entries := encodeEntries(written[it.id].writtenEntries(it, results))
		for _, j := range it.jobs {
			j.version.entries = entries
		}
	}
	w.settleItems(ctx, items, results, errs)
}

// rememberedEntries returns the entry ids that the product's last sync
// recorded in the Store (by slot hash), or nil for a forced sync, which
// queries them.
func rememberedEntries(jobs []*job) map[string]string {
	for _, j := range jobs {
		if j.task.Force {
			return nil
		}
	}
	for _, j := range jobs {
		if v, ok := parseVersion(j.written); ok && v.entries != "" {
			return decodeEntries(v.entries)
		}
	}
	return nil
}

// retryRecalled writes again, from a query, the products whose graphs used
// entry ids recalled from the Store and failed for their data: an entry
// deleted in Salesforce since bc2sf wrote it answers NOT_FOUND or
// ENTITY_IS_DELETED. It updates their graphs, written, results and errs in
// place; a transient failure of the first try is left as it was, for the
// job's retry.
func (w *Worker) retryRecalled(ctx context.Context, items []*entityItem, pw *productWrite,
	written map[int64]*productWrite, results map[string]salesforce.GraphResult, errs map[string]error) {
	var again []*mapper.ProductResult
	var retried []*entityItem
	for _, it := range items {
		err := itemErr(it, errs)
		if err == nil || !pw.recalled[it.id] {
			continue
		}
		if kind, _ := classify(err); kind != kindData {
			continue
		}
		w.log.Info("a recorded PricebookEntry of the product was refused; querying its entries", "product_id", it.id, "err", err)
		again = append(again, pw.mapped[it.id])
		retried = append(retried, it)
	}
	if len(again) == 0 {
		return
	}
	pw2, err := w.productGraphs(ctx, again, nil)
	if err != nil {
		// The query failed: settle them on that failure (a transient one
		// is retried), not on the refusal of the recorded entries.
		for _, it := range retried {
			for _, g := range it.graphs {
				errs[g.GraphID] = err
			}
		}
		return
	}
	var send []*entityItem
	for _, it := range retried {
		if err := pw2.errs[it.id]; err != nil {
			continue
		}
		for _, g := range it.graphs {
			delete(errs, g.GraphID)
		}
		it.graphs = pw2.graphs[it.id]
		written[it.id] = pw2
		send = append(send, it)
	}
	res2, errs2 := w.sendItems(ctx, send)
	maps.Copy(results, res2)
	maps.Copy(errs, errs2)
}

// readProducts reads products by id with their variants, 250 to a request;
// ids that name no product are left out.
func (w *Worker) readProducts(ctx context.Context, ids []int64) (map[int64]*bigcommerce.Product, error) {
	found := make(map[int64]*bigcommerce.Product, len(ids))
	w.stats.bigcommerceCalls.Add(int64((len(ids) + maxIDsPerRead - 1) / maxIDsPerRead))
	for p, err := range w.cfg.Products.List(ctx, bigcommerce.ListProductsOptions{IDs: ids}) {
		if err != nil {
			return nil, fmt.Errorf("read products: %w", err)
		}
		if slices.Contains(ids, p.ID) {
			found[p.ID] = &p
		}
	}
	return found, nil
}

// productWrite is what productGraphs builds: each product's graphs (a
// product with more nodes than one graph takes has several), the products
// it could not build, the entries that exist, and, per graph, the
// PricebookEntry that each entry node writes, so that the ids Salesforce
// returns can be read back.
type productWrite struct {
	graphs   map[int64][]salesforce.Graph
	errs     map[int64]error
	mapped   map[int64]*mapper.ProductResult
	entries  map[entrySlot]string            // existing entries, queried or recalled
	nodes    map[string]map[string]entrySlot // graph -> entry node's referenceId -> its entry
	recalled map[int64]bool                  // products whose entry ids came from the Store alone
}

// productGraphs builds the graphs that write mapped products: per product
// key a Product2 upsert, then its PricebookEntry in each price book of
// entryBooks (the standard one first) for each currency (one, without
// CurrencyIsoCode, in a single-currency org): a PATCH of the entry's id when
// it exists (its price, and IsActive, which reactivates it), else a POST
// that creates it for the Product2 just upserted (Pricebook2Id, Product2Id
// and CurrencyIsoCode can be set only on creation). The ids of existing
// entries come from memory (by product id, what rememberedEntries read)
// when it holds every slot of a product; the other products' entries are
// found with one query. In a multi-currency org it reads the active
// currencies once per Worker.
func (w *Worker) productGraphs(ctx context.Context, mapped []*mapper.ProductResult, memory map[int64]map[string]string) (*productWrite, error) {
	curs, err := w.productCurrencies(ctx)
	if err != nil {
		return nil, err
	}
	books := w.entryBooks()
	pw := &productWrite{graphs: map[int64][]salesforce.Graph{}, errs: map[int64]error{}, mapped: map[int64]*mapper.ProductResult{},
		entries: map[entrySlot]string{}, nodes: map[string]map[string]entrySlot{}, recalled: map[int64]bool{}}
	var keys []string
	for _, res := range mapped {
		pw.mapped[res.ProductID] = res
		if ids, ok := recall(memory[res.ProductID], res, books, curs); ok {
			maps.Copy(pw.entries, ids)
			pw.recalled[res.ProductID] = true
			continue
		}
		keys = append(keys, res.Keys()...)
	}
	if len(keys) > 0 {
		slices.Sort(keys)
		found, err := w.bookEntries(ctx, slices.Compact(keys), books)
		if err != nil {
			return nil, fmt.Errorf("pricebook entries: %w", err)
		}
		maps.Copy(pw.entries, found)
	}
	perGraph := max(1, salesforce.MaxGraphNodes/(1+len(curs)*len(books)))
	for _, res := range mapped {
		for part, chunk := range chunkProducts(res.Products, perGraph) {
			g, nodes, err := w.productGraph(entityGraphID(KindProduct, res.ProductID, part), chunk, curs, books, pw.entries)
			if err != nil {
				pw.errs[res.ProductID] = err
				break
			}
			pw.graphs[res.ProductID] = append(pw.graphs[res.ProductID], g)
			pw.nodes[g.GraphID] = nodes
		}
	}
	return pw, nil
}

// entryBooks returns the price books product syncs keep entries in: the
// standard one and, when the Mapper targets Orders priced from another
// price book, that one after it, since Salesforce takes an entry in a
// custom price book only for a product with an active standard price
// (STANDARD_PRICE_NOT_DEFINED otherwise).
func (w *Worker) entryBooks() []string {
	books := []string{w.cfg.StandardPricebookID}
	if pb := w.cfg.Mapper.Config().Pricebook2ID; w.target == mapper.TargetOrder && pb != "" && !sameRecordID(pb, w.cfg.StandardPricebookID) {
		books = append(books, pb)
	}
	return books
}

// sameRecordID reports whether two Salesforce ids, each in its 15- or
// 18-character form, name one record: the first 15 characters are the id,
// the other 3 a checksum of its case.
func sameRecordID(a, b string) bool {
	return len(a) >= 15 && len(b) >= 15 && a[:15] == b[:15]
}

func chunkProducts(ps []mapper.ProductRecord, n int) [][]mapper.ProductRecord {
	var out [][]mapper.ProductRecord
	for c := range slices.Chunk(ps, n) {
		out = append(out, c)
	}
	return out
}

// productGraph builds one graph of a product's keys, and returns which entry
// each PricebookEntry node writes. For each key and currency the standard
// price book's node comes before the custom one's, so that a standard
// price created in this graph exists when the custom entry is created.
func (w *Worker) productGraph(graphID string, ps []mapper.ProductRecord, curs []currency, books []string, entries map[entrySlot]string) (salesforce.Graph, map[string]entrySlot, error) {
	recs := make([]salesforce.UpsertRecord, len(ps))
	for i, p := range ps {
		recs[i] = upsertRecords([]mapper.Record{p.Record})[0]
	}
	g, err := salesforce.NewUpsertGraph(graphID, recs, nil)
	if err != nil {
		return salesforce.Graph{}, nil, fmt.Errorf("build graph: %w", err)
	}
	nodes := map[string]entrySlot{}
	slot := 0
	for i, p := range ps {
		base, err := decimal.NewFromString(p.UnitPrice.String())
		if err != nil {
			return salesforce.Graph{}, nil, fmt.Errorf("product key %q: price %q: %w", p.ExternalID, p.UnitPrice, err)
		}
		for _, cur := range curs {
			for _, book := range books {
				s := entrySlot{book: book, priceKey: priceKey{product: p.ExternalID, currency: cur.code}}
				slot++
				ref := "entry" + strconv.Itoa(i+1) + "_" + strconv.Itoa(slot)
				body := map[string]any{"UnitPrice": json.Number(cur.convert(base).String()), "IsActive": true}
				nodes[ref] = s
				if _, ok := entries[s]; ok && book != w.cfg.StandardPricebookID {
					// A custom price book's prices are the org's to keep: an
					// entry there is created when missing, never changed.
					continue
				}
				if id, ok := entries[s]; ok {
					if !salesforceID(id) {
						return salesforce.Graph{}, nil, fmt.Errorf("pricebook entry id %q is not a Salesforce id", id)
					}
					g.CompositeRequest = append(g.CompositeRequest, salesforce.Subrequest{
						Method: http.MethodPatch, URL: "sobjects/" + objectPricebookEntry + "/" + id, ReferenceID: ref, Body: body})
					continue
				}
				body["Pricebook2Id"] = book
				body["Product2Id"] = "@{" + p.Ref + ".id}"
				if cur.code != "" {
					body["CurrencyIsoCode"] = cur.code
				}
				g.CompositeRequest = append(g.CompositeRequest, salesforce.Subrequest{
					Method: http.MethodPost, URL: "sobjects/" + objectPricebookEntry, ReferenceID: ref, Body: body})
			}
		}
	}
	return g, nodes, nil
}

// bookEntries finds the PricebookEntries of keys in books, active or not,
// with one query per 14,000 bytes of encoded SOQL:
//
//	SELECT Id, [Pricebook2Id, ]Product2.<key field>[, CurrencyIsoCode] FROM PricebookEntry
//	WHERE Pricebook2Id = '<standard>' AND Product2.<key field> IN (<keys>)
//
// with Pricebook2Id IN ('<standard>', '<custom>') when there are two books.
func (w *Worker) bookEntries(ctx context.Context, keys, books []string) (map[entrySlot]string, error) {
	found := map[entrySlot]string{}
	keys = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return strings.ContainsRune(k, 0) })
	if len(keys) == 0 {
		return found, nil
	}
	field := "Product2." + w.cfg.Mapper.Config().Fields.ProductKey
	selectList, bookFilter := field, "Pricebook2Id = "+salesforce.QuoteString(books[0])
	if len(books) > 1 {
		quoted := make([]string, len(books))
		for i, b := range books {
			quoted[i] = salesforce.QuoteString(b)
		}
		selectList = "Pricebook2Id, " + selectList
		bookFilter = "Pricebook2Id IN (" + strings.Join(quoted, ", ") + ")"
	}
	if w.multiCurrency {
		selectList += ", " + fieldCurrency
	}
	prefix := fmt.Sprintf("SELECT Id, %s FROM %s WHERE %s AND %s IN (", selectList, objectPricebookEntry, bookFilter, field)
	for _, soql := range inQueries(prefix, keys, maxEncodedQueryLen) {
		w.stats.pricebookQueries.Add(1)
		for raw, err := range w.cfg.Pricebook.Query(ctx, soql) {
			if err != nil {
				return nil, err
			}
			id, key, cur, err := entryKey(raw, field)
			if err != nil {
				return nil, err
			}
			book, ok := books[0], true
			if len(books) > 1 {
				book, ok = entryBook(raw, books)
			}
			if !ok {
				continue
			}
			s := entrySlot{book: book, priceKey: priceKey{product: key}}
			if w.multiCurrency {
				s.currency = cur
			}
			found[s] = id
		}
	}
	return found, nil
}

// entryBook returns which of books an entry record's Pricebook2Id names.
func entryBook(raw json.RawMessage, books []string) (string, bool) {
	var rec map[string]json.RawMessage
	if json.Unmarshal(raw, &rec) != nil {
		return "", false
	}
	id := stringAt(rec, "Pricebook2Id")
	for _, b := range books {
		if sameRecordID(id, b) {
			return b, true
		}
	}
	return "", false
}

// currency is one active currency of a multi-currency org, or, in a
// single-currency org, the one entry without a code.
type currency struct {
	code   string
	rate   decimal.Decimal // units per unit of the store's currency; zero: no conversion
	places int32
}

// convert turns a price in the store's currency into c.
func (c currency) convert(d decimal.Decimal) decimal.Decimal {
	if c.rate.IsZero() {
		return d
	}
	return d.Mul(c.rate).Round(c.places)
}

// currencyMemo keeps the org's active currencies once read.
type currencyMemo struct {
	mu   sync.Mutex
	list []currency
}

// currencySOQL reads the active currencies of a multi-currency org.
const currencySOQL = "SELECT IsoCode, ConversionRate, DecimalPlaces, IsCorporate FROM CurrencyType WHERE IsActive = true"

// productCurrencies returns the currencies a product sync writes entries
// in: one without a code unless the Mapper is multi-currency, else every
// active currency of the org, read once per Worker (a failed read is tried
// again by the next batch), each with its rate from StoreCurrency.
func (w *Worker) productCurrencies(ctx context.Context) ([]currency, error) {
	if !w.multiCurrency {
		return []currency{{}}, nil
	}
	m := &w.currencies
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.list != nil {
		return m.list, nil
	}
	type row struct {
		IsoCode        string
		ConversionRate json.Number
		DecimalPlaces  json.Number
		IsCorporate    bool
	}
	var rows []row
	w.stats.pricebookQueries.Add(1)
	for raw, err := range w.cfg.Pricebook.Query(ctx, currencySOQL) {
		if err != nil {
			return nil, fmt.Errorf("active currencies: %w", err)
		}
		var r row
		if err := json.Unmarshal(raw, &r); err != nil || r.IsoCode == "" {
			return nil, fmt.Errorf("active currencies: a CurrencyType record without IsoCode")
		}
		rows = append(rows, r)
	}
	store := w.cfg.StoreCurrency
	if store == "" {
		for _, r := range rows {
			if r.IsCorporate {
				store = r.IsoCode
			}
		}
	}
	var storeRate decimal.Decimal
	for _, r := range rows {
		if r.IsoCode == store {
			storeRate, _ = decimal.NewFromString(r.ConversionRate.String())
		}
	}
	if storeRate.Sign() <= 0 {
		return nil, fmt.Errorf("%w: the store's currency %q is not an active currency of the org (CurrencyType); set StoreCurrency", errProductConfig, store)
	}
	list := make([]currency, 0, len(rows))
	for _, r := range rows {
		rate, err := decimal.NewFromString(r.ConversionRate.String())
		if err != nil || rate.Sign() <= 0 {
			return nil, fmt.Errorf("active currencies: %s has the conversion rate %q", r.IsoCode, r.ConversionRate)
		}
		places, err := strconv.Atoi(r.DecimalPlaces.String())
		if err != nil || places < 0 || places > 8 {
			places = 2
		}
		c := currency{code: r.IsoCode, places: int32(places)}
		if r.IsoCode != store {
			c.rate = rate.Div(storeRate)
		}
		list = append(list, c)
	}
	slices.SortFunc(list, func(a, b currency) int { return strings.Compare(a.code, b.code) })
	m.list = list
	return list, nil
}

// errProductConfig marks a product sync that the Worker's settings make
// impossible: a data error, dead-lettered with a reason that says what to
// set.
var errProductConfig = errors.New("product sync configuration")

// syncMissingProducts is the Order target's fallback for lines whose
// product has no PricebookEntry yet: when the Worker syncs products, it
// reads the products of those lines from BigCommerce (one call), writes
// them as a product sync does (one query, one Composite Graph call: the
// standard price book's entries and, for an Order priced from a custom
// price book, that book's after them) and adds the entries of the Order's
// price book to entries, so the order is written now rather than waiting
// for a product event. A product it cannot write leaves its lines without
// an entry, and their orders are settled as before; a transient failure
// fails the batch, to be retried.
func (w *Worker) syncMissingProducts(ctx context.Context, b *batch, ex *existing, entries map[priceKey]string) (map[priceKey]string, error) {
	if isNil(w.cfg.Products) {
		return entries, nil
	}
	objects := w.cfg.Mapper.Config().Objects
	var ids []int64
	b.each(func(it *item) {
		res := &it.result
		if ex.activated[orderExternalID(res, objects)] {
			return
		}
		for _, rec := range res.Records {
			if rec.ProductKey == "" || ex.items[rec.ExternalID] {
				continue
			}
			k := priceKey{product: rec.ProductKey}
			if w.multiCurrency {
				k.currency = res.Currency
			}
			if _, ok := entries[k]; ok {
				continue
			}
			if id := lineProductID(it.order, rec.ExternalID); id > 0 && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	})
	if len(ids) == 0 {
		return entries, nil
	}
	found, err := w.readProducts(ctx, ids)
	if err != nil {
		return nil, err
	}
	var mapped []*mapper.ProductResult
	for _, id := range ids {
		if p, ok := found[id]; ok {
			if res, err := w.cfg.Mapper.MapProduct(p); err == nil {
				mapped = append(mapped, &res)
			}
		}
	}
	if len(mapped) == 0 {
		return entries, nil
	}
	pw, err := w.productGraphs(ctx, mapped, nil)
	if err != nil {
		return nil, err
	}
	var graphs []salesforce.Graph
	for _, res := range mapped {
		graphs = append(graphs, pw.graphs[res.ProductID]...)
	}
	results, errs := w.sendGraphs(ctx, graphs)
	for gid, err := range errs {
		if kind, _ := classify(err); kind != kindData {
			return nil, fmt.Errorf("write products: %w", err)
		}
		w.log.Warn("could not write a product that an order line needs", "graph", gid, "err", err)
	}
	orderBook := w.cfg.Mapper.Config().Pricebook2ID
	out := maps.Clone(entries)
	for gid, gr := range results {
		for ref, s := range pw.nodes[gid] {
			if !sameRecordID(s.book, orderBook) {
				continue
			}
			id := pw.entries[s] // an existing entry, now active
			if sub, ok := gr.Result(ref); ok && sub.ID() != "" {
				id = sub.ID() // a created one
			}
			if id != "" {
				out[s.priceKey] = id
			}
		}
	}
	return out, nil
}

// lineProductID returns the product id of the order's line with the given
// external id (its line item id), or 0.
func lineProductID(o *bigcommerce.Order, lineID string) int64 {
	for _, p := range o.LineItems() {
		if strconv.FormatInt(p.ID, 10) == lineID {
			return p.ProductID
		}
	}
	return 0
}
