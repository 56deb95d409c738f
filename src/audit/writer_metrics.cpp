// What the audit writer tells Prometheus, and where its settings come from.
#include "lienthong/audit/audit_writer.hpp"
#include "lienthong/observability/exposition.hpp"

#include "writer_impl.hpp"

namespace lienthong::audit {

WriterOptions WriterOptions::from(const Config& config) {
  WriterOptions options;
  options.database_url = config.database.url;
  options.node = config.node.name;
  options.signing_key_path = config.audit.signing_key;
  options.queue_capacity = static_cast<std::size_t>(config.audit.queue_capacity);
  options.batch_max = static_cast<std::size_t>(config.audit.batch_max);
  options.commit_timeout = std::chrono::milliseconds(config.audit.commit_timeout_ms);
  options.checkpoint_records = config.audit.checkpoint_records;
  options.partitions_ahead = config.audit.partitions_ahead;
  options.checkpoint_interval = std::chrono::seconds(config.audit.checkpoint_seconds);
  options.witness_dir = config.audit.witness_dir;
  options.witness_grace = std::chrono::seconds(config.audit.witness_grace_seconds);
  return options;
}

void AuditWriter::write_metrics(observability::Exposition& out) const {
  out.single("lienthong_audit_queue_depth", "gauge",
             "Audit records waiting for the writer's next batch.",
             static_cast<double>(queue_depth()));
  out.single("lienthong_audit_records_committed_total", "counter",
             "Audit records this node committed since it started.",
             static_cast<double>(committed()));
  out.single("lienthong_audit_batches_failed_total", "counter",
             "Audit batches that did not commit (their exchanges were answered 503).",
             static_cast<double>(failed_batches()));
  out.family("lienthong_audit_commit_duration_seconds", "histogram",
             "Writing and committing one audit batch (one INSERT and the COMMIT).");
  commit_seconds_.write(out, "lienthong_audit_commit_duration_seconds", {});
  out.single("lienthong_audit_witness_failures_total", "counter",
             "Attempts to publish signed checkpoints to the witness directory that failed.",
             static_cast<double>(witness_failures()));
  if (const auto& timestamps = impl_->options.timestamps) {
    out.single("lienthong_audit_timestamps_total", "counter",
               "Trusted timestamps (RFC 3161) of checkpoints this node obtained, checked and kept.",
               static_cast<double>(timestamps->kept()));
    out.single("lienthong_audit_timestamp_failures_total", "counter",
               "Rounds in which no trusted timestamp could be obtained, or one did not verify.",
               static_cast<double>(timestamps->failures()));
    out.single("lienthong_audit_timestamps_current", "gauge",
               "0 once trusted timestamps have failed for longer than "
               "audit.timestamp_failure_seconds (exchanges are refused).",
               timestamps_current() ? 1 : 0);
  }
  out.single("lienthong_audit_writer_healthy", "gauge",
             "0 after an audit batch failed, until one commits or the writer reconnects.",
             healthy() ? 1 : 0);
}

}  // namespace lienthong::audit
