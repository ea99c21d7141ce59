export default function AuditApp() {
  return <main id="main">Verification: being built.</main>;
}
