import { PageHeader } from '../components/page-header';

/** The signed-in home page: the wallet at a glance. */
export default function OverviewPage() {
  return <PageHeader title="Overview" />;
}
