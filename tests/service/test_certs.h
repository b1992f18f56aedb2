#pragma once

// Throwaway TLS material for tests, made with the `openssl` CLI at test time: a CA, a server
// certificate for localhost / 127.0.0.1 and a client certificate, all signed by that CA, plus
// a second CA that signed nothing the server trusts.

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace greengate::testing {

struct TestCerts {
  std::string ca;  // PEM paths
  std::string other_ca;
  std::string server_cert;
  std::string server_key;
  std::string client_cert;  // subject CN=ci-runner,O=greengate-test
  std::string client_key;
  std::string error;  // non-empty when openssl failed

  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
};

// Writes the files into `dir` (which must exist). EC P-256 keys: quick to generate.
inline TestCerts MakeTestCerts(const std::string& dir) {
  TestCerts c;
  c.ca = dir + "/ca.pem";
  c.other_ca = dir + "/other-ca.pem";
  c.server_cert = dir + "/server.pem";
  c.server_key = dir + "/server.key";
  c.client_cert = dir + "/client.pem";
  c.client_key = dir + "/client.key";
  const std::string key = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  const std::string ca_ext =
      " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign";
  std::ofstream(dir + "/server.ext")
      << "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n";
  std::ofstream(dir + "/client.ext") << "extendedKeyUsage=clientAuth\n";
  const std::string d = "'" + dir + "'";
  const std::string commands[] = {
      "openssl req -x509 -days 2" + key + " -keyout " + d + "/ca.key -out " + c.ca +
          " -subj '/CN=greengate test CA'" + ca_ext,
      "openssl req -x509 -days 2" + key + " -keyout " + d + "/other-ca.key -out " + c.other_ca +
          " -subj '/CN=some other CA'" + ca_ext,
      "openssl req" + key + " -keyout " + c.server_key + " -out " + d +
          "/server.csr -subj '/CN=localhost'",
      "openssl x509 -req -days 2 -in " + d + "/server.csr -CA " + c.ca + " -CAkey " + d +
          "/ca.key -CAcreateserial -out " + c.server_cert + " -extfile " + d + "/server.ext",
      "openssl req" + key + " -keyout " + c.client_key + " -out " + d +
          "/client.csr -subj '/O=greengate-test/CN=ci-runner'",
      "openssl x509 -req -days 2 -in " + d + "/client.csr -CA " + c.ca + " -CAkey " + d +
          "/ca.key -CAcreateserial -out " + c.client_cert + " -extfile " + d + "/client.ext",
  };
  for (const std::string& command : commands) {
    if (std::system((command + " >" + d + "/openssl.log 2>&1").c_str()) != 0) {
      c.error = command + "\n" + TestCerts::Read(dir + "/openssl.log");
      return c;
    }
  }
  return c;
}

}  // namespace greengate::testing
