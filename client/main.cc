// greengate: the command-line client of the greengate retraining gate.

#include <iostream>

#include "client/app.h"

int main(int argc, char** argv) {
  return greengate::client::RunCli(argc, argv, greengate::client::DefaultServer(), std::cout,
                                   std::cerr);
}
