export default function DockPage() {
  return <main id="main">Dock intake: being built.</main>;
}
