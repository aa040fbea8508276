import { Component, type ReactNode } from 'react';
import { ErrorState } from './states.tsx';

/** A page that throws while rendering shows an error state instead of a blank console. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  state = { error: undefined as unknown };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  render() {
    if (this.state.error) return <ErrorState error={this.state.error} retry={() => this.setState({ error: undefined })} />;
    return this.props.children;
  }
}
