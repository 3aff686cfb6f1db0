// Kizuna. `kizuna admin user cert add|list|remove`: client certificates that log in as users.
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/admin_common.h"
#include "kizuna/cli/admin_internal.h"
#include "kizuna/http/tls_context.h"

namespace kizuna::cli::admin {
namespace {

// A PEM certificate file is small; a chain of a few certificates at most.
constexpr uint64_t kMaxCertificateFileBytes = 64 * 1024;

struct CertFlags {
  std::string user, fingerprint, cert_file, label;
  bool json = false;
};

// The SHA-256 of the DER of the first certificate in PEM file `path`, in hex.
absl::StatusOr<std::string> FingerprintOfFile(const std::string& path) {
  auto text = ReadFile(path, kMaxCertificateFileBytes);
  if (!text.ok()) return Annotate(text.status(), "--cert-file: ");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(text->data(), static_cast<int>(text->size())), BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  if (cert == nullptr)
    return absl::InvalidArgumentError(StrCat("--cert-file ", path, ": no PEM certificate in it"));
  return http::CertificateSha256(cert.get());
}

boost::json::object CertJson(const store::UserCertificate& c) {
  return {{"sha256", c.sha256}, {"user", c.user}, {"label", c.label}, {"created_us", c.created_us}};
}

int AddCert(const GlobalOptions& global, const CertFlags& f) {
  std::string fingerprint = f.fingerprint;
  if (!f.cert_file.empty()) {
    auto computed = FingerprintOfFile(f.cert_file);
    if (!computed.ok()) return ReportError(computed.status());
    fingerprint = *computed;
  }
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  auto added = (*db)->AddUserCertificate(kActor, f.user, fingerprint, f.label);
  if (!added.ok()) return ReportError(added.status());
  if (f.json) {
    PrintJson(CertJson(*added));
  } else {
    Print(StrCat("client certificate ", added->sha256, " now logs in as '", added->user, "'\n"));
  }
  return kExitOk;
}

int ListCerts(const GlobalOptions& global, const CertFlags& f) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  auto certs = (*db)->ListUserCertificates(f.user);
  if (!certs.ok()) return ReportError(certs.status());
  boost::json::array out;
  for (const store::UserCertificate& c : *certs) {
    if (f.json) {
      out.push_back(CertJson(c));
    } else {
      Print(StrCat(c.sha256, "  ", c.user, c.label.empty() ? "" : "  ", c.label, "\n"));
    }
  }
  if (f.json) PrintJson(out);
  return kExitOk;
}

int RemoveCert(const GlobalOptions& global, const CertFlags& f) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  absl::Status s = (*db)->RemoveUserCertificate(kActor, f.fingerprint);
  if (!s.ok()) return ReportError(s);
  Print(StrCat("client certificate ", f.fingerprint, " no longer logs in\n"));
  return kExitOk;
}

}  // namespace

void AddUserCertCommands(CLI::App& user, GlobalOptions& global) {
  auto* cert = user.add_subcommand(
      "cert",
      "Client certificates that log in as a user (mutual TLS; needs `serve --tls-client-ca`)");
  cert->require_subcommand(1);
  auto f = std::make_shared<CertFlags>();
  constexpr const char* kFingerprintHelp =
      "SHA-256 of the certificate, as `openssl x509 -noout -fingerprint -sha256` prints it (':' "
      "optional)";

  auto* add = cert->add_subcommand("add", "Map a client certificate to a user");
  add->add_option("USER", f->user, "User name")->required();
  auto* fingerprint = add->add_option("--fingerprint", f->fingerprint, kFingerprintHelp);
  add->add_option("--cert-file", f->cert_file,
                  "PEM file of the certificate (its SHA-256 is computed)")
      ->excludes(fingerprint);
  add->add_option("--label", f->label, "What the certificate is for");
  add->add_flag("--json", f->json, "Print the mapping as JSON");
  add->callback([&global, f] {
    if (f->fingerprint.empty() && f->cert_file.empty()) {
      ReportError(absl::InvalidArgumentError("user cert add needs --fingerprint or --cert-file"));
      global.exit_code = kExitUsage;
      return;
    }
    global.exit_code = AddCert(global, *f);
  });

  auto* list =
      cert->add_subcommand("list", "List client certificates and the users they log in as");
  list->add_option("USER", f->user, "Only this user's");
  list->add_flag("--json", f->json, "Print a JSON array");
  list->callback([&global, f] { global.exit_code = ListCerts(global, *f); });

  auto* remove = cert->add_subcommand("remove", "Stop a client certificate from logging in");
  remove->add_option("FINGERPRINT", f->fingerprint, kFingerprintHelp)->required();
  remove->callback([&global, f] { global.exit_code = RemoveCert(global, *f); });
}

}  // namespace kizuna::cli::admin
