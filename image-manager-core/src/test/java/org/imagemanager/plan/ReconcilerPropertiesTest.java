package org.imagemanager.plan;

/**
 * Runs the properties of {@link ReconcilerProperties} (jqwik engine). Surefire only picks up classes named
 * {@code *Test}, {@code *Tests} or {@code *TestCase}; this class gives the properties such a name.
 */
class ReconcilerPropertiesTest extends ReconcilerProperties {
}
