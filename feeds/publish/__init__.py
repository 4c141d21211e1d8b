"""One publish, deciding apart from doing: ``run`` wires the stages in one transaction;
``reconcile`` gives stories permanent entries; ``plan`` (pure) decides what to render,
archive, expire and delete; ``execute`` reads the store for it, records it and renders;
``dispatch`` renders in batches on every core; ``write`` puts files in place atomically;
``verify`` finds published files gone or altered; ``archive`` places overflow (pure)."""
