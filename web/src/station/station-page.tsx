export default function StationPage() {
  return <main id="main">Marriage station: being built.</main>;
}
