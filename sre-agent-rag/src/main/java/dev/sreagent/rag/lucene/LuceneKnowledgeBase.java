package dev.sreagent.rag.lucene;

import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.model.KnowledgeQuery;
import dev.sreagent.api.model.RetrievedDocument;
import dev.sreagent.api.port.KnowledgeBase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.QueryBuilder;
import org.jspecify.annotations.Nullable;

/**
 * A knowledge base on Apache Lucene: BM25 over the title (boosted) and the body with English stemming, a boost for
 * documents about the query's incident type, incremental add / replace / remove, in memory or persisted to a
 * directory (reopened with its documents). Thread-safe.
 */
public final class LuceneKnowledgeBase implements KnowledgeBase, AutoCloseable {
  /** Default weight of a title match relative to a body match. */
  public static final float DEFAULT_TITLE_BOOST = 1f;
  private static final String ID = "id";
  private static final String TITLE = "title";
  private static final String TEXT = "text";
  private static final String META = "meta.";
  private static final String TITLE_STORED = "title.stored";
  private static final String TEXT_STORED = "text.stored";
  private static final java.util.regex.Pattern RUN = java.util.regex.Pattern.compile("[A-Za-z0-9]+");
  private static final java.util.regex.Pattern CAMEL =
      java.util.regex.Pattern.compile("[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+");

  private final Directory directory;
  private final Analyzer analyzer = new EnglishAnalyzer();
  private final IndexWriter writer;
  private final float titleBoost;
  private final BM25Similarity similarity;
  private @Nullable DirectoryReader reader;

  private LuceneKnowledgeBase(Directory directory, float titleBoost, float k1, float b) {
    this.directory = directory;
    this.titleBoost = titleBoost;
    this.similarity = new BM25Similarity(k1, b);
    try {
      IndexWriterConfig cfg = new IndexWriterConfig(analyzer).setSimilarity(similarity)
          .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
      this.writer = new IndexWriter(directory, cfg);
      writer.commit();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the Lucene index: " + e.getMessage(), e);
    }
  }

  /** An index in memory with BM25 k1 = 1.2, b = 0.75. */
  public static LuceneKnowledgeBase inMemory() {
    return new LuceneKnowledgeBase(new ByteBuffersDirectory(), DEFAULT_TITLE_BOOST, 1.2f, 0.75f);
  }

  /** An index in memory with the given BM25 parameters and title boost. */
  public static LuceneKnowledgeBase inMemory(float titleBoost, float k1, float b) {
    return new LuceneKnowledgeBase(new ByteBuffersDirectory(), titleBoost, k1, b);
  }

  /** An index persisted under {@code dir}; documents already there are kept. */
  public static LuceneKnowledgeBase open(Path dir) {
    try {
      return new LuceneKnowledgeBase(FSDirectory.open(dir), DEFAULT_TITLE_BOOST, 1.2f, 0.75f);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the knowledge directory " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void upsert(KnowledgeDocument d) {
    upsertAll(List.of(d));
  }

  /** Adds or replaces many documents with one commit (bulk ingestion). */
  public synchronized void upsertAll(List<KnowledgeDocument> docs) {
    try {
      for (KnowledgeDocument d : docs) {
        writer.updateDocument(new Term(ID, d.id()), toDocument(d));
      }
      writer.commit();
      invalidate();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot index: " + e.getMessage(), e);
    }
  }

  private static Document toDocument(KnowledgeDocument d) {
    Document doc = new Document();
    doc.add(new StringField(ID, d.id(), Field.Store.YES));
    doc.add(new StoredField(TITLE_STORED, d.title()));
    doc.add(new StoredField(TEXT_STORED, d.text()));
    doc.add(new TextField(TITLE, expandCamel(d.title()), Field.Store.NO));
    doc.add(new TextField(TEXT, expandCamel(d.text()), Field.Store.NO));
    d.metadata().forEach((k, v) -> {
      doc.add(new StoredField(META + k, v));
      if (k.equals(KnowledgeDocument.INCIDENT_TYPES)) {
        for (String t : v.split("\\s*,\\s*")) {
          doc.add(new StringField(KnowledgeDocument.INCIDENT_TYPES, t, Field.Store.NO));
        }
      }
    });
    return doc;
  }

  /** The stored document with {@code id}, or null. */
  public synchronized @Nullable KnowledgeDocument get(String id) {
    try {
      IndexSearcher s = searcher();
      ScoreDoc[] hits = s.search(new TermQuery(new Term(ID, id)), 1).scoreDocs;
      return hits.length == 0 ? null : toKnowledge(s.storedFields().document(hits[0].doc));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + id + ": " + e.getMessage(), e);
    }
  }

  /** The stored documents with these ids (one search), by id; ids not stored are left out. */
  public synchronized Map<String, KnowledgeDocument> getAll(java.util.Collection<String> ids) {
    Map<String, KnowledgeDocument> out = new HashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    try {
      IndexSearcher s = searcher();
      List<org.apache.lucene.util.BytesRef> terms = ids.stream().distinct().map(org.apache.lucene.util.BytesRef::new)
          .toList();
      for (ScoreDoc sd : s.search(new org.apache.lucene.search.TermInSetQuery(ID, terms), terms.size()).scoreDocs) {
        KnowledgeDocument d = toKnowledge(s.storedFields().document(sd.doc));
        out.put(d.id(), d);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ids.size() + " documents: " + e.getMessage(), e);
    }
  }

  /** Every stored document, in index order. */
  public synchronized List<KnowledgeDocument> all() {
    try {
      IndexSearcher s = searcher();
      int n = s.getIndexReader().numDocs();
      List<KnowledgeDocument> out = new ArrayList<>(n);
      if (n == 0) {
        return out;
      }
      for (ScoreDoc sd : s.search(new org.apache.lucene.search.MatchAllDocsQuery(), n).scoreDocs) {
        out.add(toKnowledge(s.storedFields().document(sd.doc)));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the stored documents: " + e.getMessage(), e);
    }
  }

  private static KnowledgeDocument toKnowledge(Document d) {
    Map<String, String> meta = new HashMap<>();
    for (IndexableField f : d.getFields()) {
      if (f.name().startsWith(META)) {
        meta.put(f.name().substring(META.length()), f.stringValue());
      }
    }
    return new KnowledgeDocument(d.get(ID), d.get(TITLE_STORED), d.get(TEXT_STORED), meta);
  }

  @Override
  public synchronized boolean remove(String id) {
    try {
      boolean existed = searcher().count(new TermQuery(new Term(ID, id))) > 0;
      writer.deleteDocuments(new Term(ID, id));
      writer.commit();
      invalidate();
      return existed;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + id + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized List<RetrievedDocument> retrieve(KnowledgeQuery q) {
    String text = expandCamel(q.text());
    QueryBuilder qb = new QueryBuilder(analyzer);
    BooleanQuery.Builder bq = new BooleanQuery.Builder();
    Query title = qb.createBooleanQuery(TITLE, text, BooleanClause.Occur.SHOULD);
    Query body = qb.createBooleanQuery(TEXT, text, BooleanClause.Occur.SHOULD);
    if (title == null && body == null) {
      return List.of();
    }
    if (title != null) {
      bq.add(new BoostQuery(title, titleBoost), BooleanClause.Occur.SHOULD);
    }
    if (body != null) {
      bq.add(body, BooleanClause.Occur.SHOULD);
    }
    IncidentType type = q.type();
    if (type != null) {
      bq.add(new BoostQuery(new TermQuery(new Term(KnowledgeDocument.INCIDENT_TYPES, type.name())), 2f),
          BooleanClause.Occur.SHOULD);
    }
    try {
      IndexSearcher s = searcher();
      List<RetrievedDocument> out = new ArrayList<>();
      for (ScoreDoc sd : s.search(bq.build(), q.limit()).scoreDocs) {
        out.add(new RetrievedDocument(toKnowledge(s.storedFields().document(sd.doc)), sd.score));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("search failed: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized int size() {
    try {
      return searcher().getIndexReader().numDocs();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Adds the camel-case parts of every identifier-like word: {@code KubePodCrashLooping} stays and is followed by
   * {@code Kube Pod Crash Looping}, so alert names match runbook prose and the other way round.
   */
  static String expandCamel(String text) {
    StringBuilder extra = new StringBuilder();
    java.util.regex.Matcher m = RUN.matcher(text);
    while (m.find()) {
      java.util.regex.Matcher parts = CAMEL.matcher(m.group());
      List<String> ps = new ArrayList<>();
      while (parts.find()) {
        ps.add(parts.group());
      }
      if (ps.size() > 1) {
        extra.append(' ').append(String.join(" ", ps));
      }
    }
    return extra.length() == 0 ? text : text + extra;
  }

  private IndexSearcher searcher() throws IOException {
    if (reader == null) {
      reader = DirectoryReader.open(directory);
    }
    IndexSearcher s = new IndexSearcher(reader);
    s.setSimilarity(similarity);
    return s;
  }

  private void invalidate() throws IOException {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }

  @Override
  public synchronized void close() {
    try {
      invalidate();
      writer.close();
      directory.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
