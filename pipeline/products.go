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
// all their products with variants, one query for the PricebookEntries
// their keys have in the standard price book, then one Composite Graph call
// writing each product's Product2 records and entries.
func (w *Worker) syncProductJobs(ctx context.Context, jobs []*job) {
	ids, byID := groupJobs(jobs)
	found, err := w.readProducts(ctx, ids)
	if err != nil {
		w.failJobs(ctx, jobs, Result{}, err)
		return
	}
	var mapped []*mapper.ProductResult
	owners := map[int64]*entityItem{}
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
		mapped = append(mapped, &res)
		owners[id] = &entityItem{id: id, jobs: js, res: r, versionKey: vkey}
	}
	if len(mapped) == 0 {
		return
	}
	pw, err := w.productGraphs(ctx, mapped)
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
	w.writeEntities(ctx, items)
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
// it could not build, and, per graph, the PricebookEntry that each
// creating node makes, so that the ids Salesforce returns can be read back.
type productWrite struct {
	graphs  map[int64][]salesforce.Graph
	errs    map[int64]error
	entries map[priceKey]string            // existing entries, by key and currency
	nodes   map[string]map[string]priceKey // graph -> entry node's referenceId -> its entry
}

// productGraphs builds the graphs that write mapped products: per product
// key a Product2 upsert, then its PricebookEntry in the standard price book
// for each currency (one, without CurrencyIsoCode, in a single-currency
// org): a PATCH of the entry's id when it exists (its price, and IsActive,
// which reactivates it), else a POST that creates it for the Product2 just
// upserted (Pricebook2Id, Product2Id and CurrencyIsoCode can be set only
// on creation). It makes one query for the entries of all the keys and, in
// a multi-currency org, reads the active currencies once per Worker.
func (w *Worker) productGraphs(ctx context.Context, mapped []*mapper.ProductResult) (*productWrite, error) {
	curs, err := w.productCurrencies(ctx)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, res := range mapped {
		keys = append(keys, res.Keys()...)
	}
	slices.Sort(keys)
	entries, err := w.standardEntries(ctx, slices.Compact(keys))
	if err != nil {
		return nil, fmt.Errorf("pricebook entries: %w", err)
	}
	pw := &productWrite{graphs: map[int64][]salesforce.Graph{}, errs: map[int64]error{}, entries: entries,
		nodes: map[string]map[string]priceKey{}}
	perGraph := max(1, salesforce.MaxGraphNodes/(1+len(curs)))
	for _, res := range mapped {
		for part, chunk := range chunkProducts(res.Products, perGraph) {
			g, nodes, err := w.productGraph(entityGraphID(KindProduct, res.ProductID, part), chunk, curs, entries)
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

func chunkProducts(ps []mapper.ProductRecord, n int) [][]mapper.ProductRecord {
	var out [][]mapper.ProductRecord
	for c := range slices.Chunk(ps, n) {
		out = append(out, c)
	}
	return out
}

// productGraph builds one graph of a product's keys, and returns which entry
// each PricebookEntry node writes.
func (w *Worker) productGraph(graphID string, ps []mapper.ProductRecord, curs []currency, entries map[priceKey]string) (salesforce.Graph, map[string]priceKey, error) {
	recs := make([]salesforce.UpsertRecord, len(ps))
	for i, p := range ps {
		recs[i] = upsertRecords([]mapper.Record{p.Record})[0]
	}
	g, err := salesforce.NewUpsertGraph(graphID, recs, nil)
	if err != nil {
		return salesforce.Graph{}, nil, fmt.Errorf("build graph: %w", err)
	}
	nodes := map[string]priceKey{}
	for i, p := range ps {
		base, err := decimal.NewFromString(p.UnitPrice.String())
		if err != nil {
			return salesforce.Graph{}, nil, fmt.Errorf("product key %q: price %q: %w", p.ExternalID, p.UnitPrice, err)
		}
		for _, cur := range curs {
			k := priceKey{product: p.ExternalID, currency: cur.code}
			ref := "entry" + strconv.Itoa(i+1) + "_" + strconv.Itoa(len(g.CompositeRequest))
			body := map[string]any{"UnitPrice": json.Number(cur.convert(base).String()), "IsActive": true}
			nodes[ref] = k
			if id, ok := entries[k]; ok {
				if !salesforceID(id) {
					return salesforce.Graph{}, nil, fmt.Errorf("pricebook entry id %q is not a Salesforce id", id)
				}
				g.CompositeRequest = append(g.CompositeRequest, salesforce.Subrequest{
					Method: http.MethodPatch, URL: "sobjects/" + objectPricebookEntry + "/" + id, ReferenceID: ref, Body: body})
				continue
			}
			body["Pricebook2Id"] = w.cfg.StandardPricebookID
			body["Product2Id"] = "@{" + p.Ref + ".id}"
			if cur.code != "" {
				body["CurrencyIsoCode"] = cur.code
			}
			g.CompositeRequest = append(g.CompositeRequest, salesforce.Subrequest{
				Method: http.MethodPost, URL: "sobjects/" + objectPricebookEntry, ReferenceID: ref, Body: body})
		}
	}
	return g, nodes, nil
}

// standardEntries finds the PricebookEntries of keys in the standard price
// book, active or not, with one query per 14,000 bytes of encoded SOQL:
//
//	SELECT Id, Product2.<key field>[, CurrencyIsoCode] FROM PricebookEntry
//	WHERE Pricebook2Id = '<standard>' AND Product2.<key field> IN (<keys>)
func (w *Worker) standardEntries(ctx context.Context, keys []string) (map[priceKey]string, error) {
	found := map[priceKey]string{}
	keys = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return strings.ContainsRune(k, 0) })
	if len(keys) == 0 {
		return found, nil
	}
	field := "Product2." + w.cfg.Mapper.Config().Fields.ProductKey
	selectList := field
	if w.multiCurrency {
		selectList += ", " + fieldCurrency
	}
	prefix := fmt.Sprintf("SELECT Id, %s FROM %s WHERE Pricebook2Id = %s AND %s IN (",
		selectList, objectPricebookEntry, salesforce.QuoteString(w.cfg.StandardPricebookID), field)
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
			k := priceKey{product: key}
			if w.multiCurrency {
				k.currency = cur
			}
			found[k] = id
		}
	}
	return found, nil
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
// product has no PricebookEntry yet: when the Worker syncs products and the
// Order's price book is the standard one, it reads the products of those
// lines from BigCommerce (one call), writes them as a product sync does
// (one query, one Composite Graph call) and adds their entries to entries,
// so the order is written now rather than waiting for a product event. A
// product it cannot write leaves its lines without an entry, and their
// orders are settled as before; a transient failure fails the batch, to be
// retried.
func (w *Worker) syncMissingProducts(ctx context.Context, b *batch, ex *existing, entries map[priceKey]string) (map[priceKey]string, error) {
	if isNil(w.cfg.Products) || w.cfg.Mapper.Config().Pricebook2ID != w.cfg.StandardPricebookID {
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
	pw, err := w.productGraphs(ctx, mapped)
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
	out := maps.Clone(entries)
	for gid, gr := range results {
		for ref, k := range pw.nodes[gid] {
			id := pw.entries[k] // an existing entry, now active
			if sub, ok := gr.Result(ref); ok && sub.ID() != "" {
				id = sub.ID() // a created one
			}
			if id != "" {
				out[k] = id
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
