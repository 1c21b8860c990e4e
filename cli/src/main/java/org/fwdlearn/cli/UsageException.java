package org.fwdlearn.cli;

/**
 * Bad input from the user (a flag, a value, a config file, a run directory): the command prints the message and
 * exits with code 2 before doing any work.
 */
public final class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message);
  }
}
