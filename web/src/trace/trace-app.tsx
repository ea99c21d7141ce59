export default function TraceApp() {
  return <main id="main">Trace explorer: being built.</main>;
}
